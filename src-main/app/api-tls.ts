import { Gauge } from 'prom-client';
import type { CasContext } from '../kernel/context';
import { TlsCertificate, ensureSelfSignedCertificate, type TlsFiles } from '../http/tls-certificate';

/** HTTPS for the client listener: the operator's PEM files, or a self-signed certificate for these names and addresses. */
export type ApiTlsOptions = TlsFiles | { selfSignedNames: readonly string[] };

export const DEFAULT_API_TLS_PORT = 8443;

/**
 * Loads the certificate the HTTPS listeners serve, keeps `ctx.runtime.tls` (the dashboard's
 * fingerprint) and the expiry metric current, and follows changes of its files every `watchIntervalMs`.
 */
export async function loadApiCertificate(ctx: CasContext, options: ApiTlsOptions, watchIntervalMs = 2000): Promise<TlsCertificate> {
  const selfSigned = 'selfSignedNames' in options;
  const files = selfSigned ? await ensureSelfSignedCertificate(ctx.runtime.dataDir, options.selfSignedNames, ctx.logger) : options;
  const certificate = new TlsCertificate(files, selfSigned, ctx.logger);
  ctx.runtime.tls = certificate.summary();
  certificate.onChange(() => (ctx.runtime.tls = certificate.summary()));
  new Gauge({
    name: 'cas_tls_certificate_expiry_timestamp_seconds',
    help: 'When the certificate of the HTTPS listeners expires',
    registers: [ctx.metrics.registry],
    collect() {
      this.set(Date.parse(certificate.summary().validTo) / 1000);
    },
  });
  certificate.watch(watchIntervalMs);
  return certificate;
}
