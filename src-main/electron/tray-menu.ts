import type { MenuItemConstructorOptions } from 'electron';
import type { CasStatus } from './cas-status';

interface TrayActions {
  openWindow(): void;
  openDataFolder(): void;
  quit(): void;
}

function viewersText(status: CasStatus): string {
  if (status.viewersNow === null) return 'Viewers now: unknown';
  return `Viewers now: ${status.viewersNow}`;
}

/** The tray's tooltip: one glance at whether the CAS serves, where, and for how many viewers. */
export function trayTooltip(status: CasStatus): string {
  if (!status.running) return 'IPTV CAS Studio: stopped';
  return `IPTV CAS Studio: running (admin ${status.adminPort}, API ${status.apiPort}) · ${viewersText(status)}`;
}

/** The tray menu: status lines (not clickable), then open window, data folder, quit. */
export function trayMenuTemplate(status: CasStatus, actions: TrayActions): MenuItemConstructorOptions[] {
  const statusLines: MenuItemConstructorOptions[] = status.running
    ? [
        { id: 'status', label: 'CAS running', enabled: false },
        { id: 'ports', label: `Admin port ${status.adminPort} · client API port ${status.apiPort}`, enabled: false },
        { id: 'viewers', label: viewersText(status), enabled: false },
      ]
    : [{ id: 'status', label: 'CAS stopped', enabled: false }];
  return [
    ...statusLines,
    { type: 'separator' },
    { id: 'open-window', label: 'Open IPTV CAS Studio', click: () => actions.openWindow() },
    { id: 'open-data-folder', label: 'Open data folder', click: () => actions.openDataFolder() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit (stops the CAS)', click: () => actions.quit() },
  ];
}
