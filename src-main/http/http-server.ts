import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { TlsCertificate } from './tls-certificate';

/** How long in-flight requests may take to finish when a listener closes. */
const CLOSE_GRACE_MS = 3000;

export interface HttpListener {
  readonly name: string;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting, lets in-flight requests finish (up to `CLOSE_GRACE_MS`), then drops the rest. */
  close(): Promise<void>;
  readonly server: Server;
}

export class PortInUseError extends Error {
  constructor(
    readonly listener: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(`The ${listener} port ${host}:${port} is already in use`);
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** With `tls`, the listener serves HTTPS with that certificate and takes each reloaded one for new connections. */
export function createHttpListener(name: string, app: Koa, host: string, port: number, tls?: TlsCertificate): HttpListener {
  const handle = app.callback();
  const onRequest = (request: Parameters<typeof handle>[0], response: Parameters<typeof handle>[1]) => void handle(request, response);
  const server: Server = tls ? createHttpsServer({ ...tls.pem, minVersion: 'TLSv1.2' }, onRequest) : createServer(onRequest);
  const stopFollowing = tls?.onChange((pem) => (server as ReturnType<typeof createHttpsServer>).setSecureContext({ ...pem, minVersion: 'TLSv1.2' }));
  const scheme = tls ? 'https' : 'http';
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  let listening = false;

  return {
    name,
    server,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          server.off('listening', onListening);
          reject(error.code === 'EADDRINUSE' ? new PortInUseError(name, host, port) : error);
        };
        const onListening = () => {
          server.off('error', onError);
          listening = true;
          const address = server.address() as AddressInfo;
          resolve({ host, port: address.port, url: `${scheme}://${urlHost(host)}:${address.port}` });
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, host);
      });
    },
    close() {
      stopFollowing?.();
      if (!listening) return Promise.resolve();
      listening = false;
      return new Promise((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
