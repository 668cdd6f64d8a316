import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const desktopStateSchema = z.object({ closeToTrayExplained: z.boolean().default(false) });
type DesktopState = z.infer<typeof desktopStateSchema>;

/** Small UI facts kept across restarts in user data (a damaged file counts as empty). */
export class DesktopStateFile {
  constructor(readonly file: string) {}

  read(): DesktopState {
    try {
      if (existsSync(this.file)) return desktopStateSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      // fall through to the defaults
    }
    return desktopStateSchema.parse({});
  }

  update(patch: Partial<DesktopState>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify({ ...this.read(), ...patch })}\n`, { mode: 0o600 });
  }
}
