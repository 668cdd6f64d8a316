import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCas, type CasOptions, type RunningCas } from '../../src-main/app/cas';
import { silentLogger } from '../../src-main/kernel/logger';
import type { Clock } from '../../src-main/kernel/clock';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(public ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny HTTP client for one listener, optionally signed in. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (/^application\/([\w.-]+\+)?json\b/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  withToken(token: string | undefined): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }
}

export interface TestCas {
  cas: RunningCas;
  dataDir: string;
  clock: TestClock;
  /** Admin listener, signed in as the bootstrap admin. */
  admin: HttpClient;
  /** Admin listener, not signed in. */
  anonymous: HttpClient;
  /** Client (LAN) listener. */
  client: HttpClient;
  /** Stops the server; the data folder stays for a restart. */
  stop(): Promise<void>;
  /** Starts a new server on the same data folder. */
  restart(): Promise<TestCas>;
  /** Stops the server and removes the data folder. */
  dispose(): Promise<void>;
}

/** Starts a real CAS on a temp data folder, with both listeners on loopback ephemeral ports. */
export async function startTestCas(options: Partial<CasOptions> & { dataDir?: string; clock?: TestClock } = {}): Promise<TestCas> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cas-test-'));
  const clock = options.clock ?? new TestClock();
  const cas = await startCas({
    adminPort: 0,
    apiPort: 0,
    apiHost: '127.0.0.1',
    logger: silentLogger(),
    bootstrapAdmin: { username: 'admin', password: ADMIN_PASSWORD },
    ...options,
    dataDir,
    clock,
  });
  const anonymous = new HttpClient(cas.adminUrl);
  const login = await anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD });
  if (login.status !== 200) throw new Error(`test admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const self: TestCas = {
    cas,
    dataDir,
    clock,
    admin: anonymous.withToken(login.body.token),
    anonymous,
    client: new HttpClient(cas.apiUrl),
    stop: () => cas.close(),
    async restart() {
      await cas.close();
      return startTestCas({ ...options, dataDir, clock });
    },
    async dispose() {
      await cas.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
