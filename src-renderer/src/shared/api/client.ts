import { isApiErrorBody, type ApiErrorBody } from '../../../../src-shared/errors';

/** An error answer of the admin API, carrying the field it names (if any). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody['error'],
  ) {
    super(body.message);
    this.name = 'ApiRequestError';
  }
  get code(): string {
    return this.body.code;
  }
  get field(): string | undefined {
    return this.body.field;
  }
}

/** Query parameters; empty values are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The one way the dashboard talks to the CAS: the admin HTTP API on the same origin, with the
 * session as a bearer token. Error answers become `ApiRequestError`s; a 401 tells the session
 * holder so it can return to the sign-in page.
 */
export class ApiClient {
  token: string | null = null;
  onUnauthorized: (() => void) | null = null;
  /** Called after every accepted change (any method but GET), so every list can ask again. */
  onChanged: (() => void) | null = null;

  constructor(private readonly baseUrl = '') {}

  /**
   * `T` is the answer's type inferred from the shared zod schema the CAS declares for this route
   * (src-shared/schemas), the one place the dashboard takes the server at its word.
   */
  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const response = await this.#send(method, path, options);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  /** Downloads a file answer (CSV) as a Blob. */
  async download(path: string, query?: Query): Promise<Blob> {
    const response = await this.#send('GET', path, { query });
    return response.blob();
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  delete<T = void>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, { query });
  }

  async #send(method: string, path: string, options: { query?: Query; body?: unknown }): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: BodyInit | undefined;
    if (options.body instanceof Blob) {
      body = options.body;
      headers['content-type'] = options.body.type || 'application/octet-stream';
    } else if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}${queryString(options.query)}`, { method, headers, body });
    } catch {
      throw new ApiRequestError(0, { code: 'network', params: {}, message: 'The CAS does not answer. Is it running?' });
    }
    if (response.ok) {
      if (method !== 'GET') this.onChanged?.();
      return response;
    }
    let payload: unknown = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    const error = isApiErrorBody(payload)
      ? new ApiRequestError(response.status, { ...payload.error, params: payload.error.params ?? {} })
      : new ApiRequestError(response.status, { code: 'http', params: {}, message: `${response.status} ${response.statusText}` });
    if (response.status === 401 && this.token && !path.endsWith('/login')) this.onUnauthorized?.();
    return Promise.reject(error);
  }
}

export const api = new ApiClient();

/** Saves a Blob as a file through a temporary link (works offline, no popup). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
