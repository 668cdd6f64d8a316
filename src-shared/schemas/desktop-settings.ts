import { z } from 'zod';

const port = (def: number) => z.number().int('Whole number').min(1).max(65_535).default(def);

/**
 * Settings of the desktop shell (issue #7). The shell reads them before it starts the listeners,
 * so a change takes effect at the app's next start; `cas-studio serve` uses its flags instead.
 */
export const desktopSettingsShape = {
  /** Port of the admin API and dashboard on 127.0.0.1 when the desktop app runs the CAS. */
  desktopAdminPort: port(5050),
  /** Port of the client API (streaming servers, packagers, players) when the desktop app runs the CAS. */
  desktopApiPort: port(8100),
  /** Address the client API binds to when the desktop app runs the CAS. */
  desktopApiHost: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F.:]+$/, 'An IPv4 or IPv6 address (0.0.0.0 for every interface)')
    .max(45)
    .default('0.0.0.0'),
};
