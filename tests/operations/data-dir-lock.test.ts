import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveProcess, stopProcess } from '../helpers/cli-process';
import { startTestCas } from '../helpers/test-cas';
import { DataDirLockedError } from '../../src-main/db/data-dir-lock';

const dataDir = mkdtempSync(join(tmpdir(), 'cas-lock-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('one CAS per data folder', () => {
  it('a second serve on the same folder is refused naming the first; after SIGKILL of the first it starts', async () => {
    const first = await serveProcess(dataDir);
    const refused = await serveProcess(dataDir).then(
      () => null,
      (error: { code: number; output: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.output).toContain(`is in use by process ${first.child.pid}`);
    expect(refused?.output).toContain(`admin ${first.adminUrl}`);
    expect(refused?.output).toMatch(/started \d{4}-\d\d-\d\dT/);

    expect(await stopProcess(first, 'SIGKILL')).toBe('SIGKILL');
    const second = await serveProcess(dataDir);
    expect(await stopProcess(second)).toBe(0);
  }, 60_000);

  it('a second CAS in the same process is refused too, and the folder is free again once the first stops', async () => {
    const first = await startTestCas();
    await expect(startTestCas({ dataDir: first.dataDir })).rejects.toThrow(DataDirLockedError);
    const again = await first.restart();
    await again.dispose();
  });
});
