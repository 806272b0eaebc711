// TLS for every server and client, from PEM files that are re-read while the process runs (cert-manager
// rotates them in place): grpc-js's file-watcher certificate providers poll the files and swap the
// secure context for new connections.
import { credentials, experimental, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** How often certificate files are re-read. */
export const DEFAULT_TLS_RELOAD_MS = 60_000;

export interface ServerTls {
  certFile: string;
  keyFile: string;
  /** Set: clients must present a certificate signed by this CA (mTLS); the caller is its subject. */
  clientCaFile?: string;
  reloadMs?: number;
}

export interface ClientTls {
  /** CA that signed the servers' certificates. */
  caFile: string;
  /** Client certificate and key, for servers that require mTLS. */
  certFile?: string;
  keyFile?: string;
  reloadMs?: number;
}

export function serverCredentials(tls: ServerTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const refreshIntervalMs = tls.reloadMs ?? DEFAULT_TLS_RELOAD_MS;
  const identity = new experimental.FileWatcherCertificateProvider({ certificateFile: tls.certFile, privateKeyFile: tls.keyFile, refreshIntervalMs });
  const clientCa = tls.clientCaFile ? new experimental.FileWatcherCertificateProvider({ caCertificateFile: tls.clientCaFile, refreshIntervalMs }) : null;
  // grpc-js 1.14 hands its first argument to the credentials as the identity provider and the second
  // as the CA provider (its .d.ts names them the other way round); the TLS tests fail if that changes.
  return experimental.createCertificateProviderServerCredentials(identity, clientCa as experimental.CertificateProvider, clientCa !== null);
}

export function clientCredentials(tls: ClientTls | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const refreshIntervalMs = tls.reloadMs ?? DEFAULT_TLS_RELOAD_MS;
  const ca = new experimental.FileWatcherCertificateProvider({ caCertificateFile: tls.caFile, refreshIntervalMs });
  const identity =
    tls.certFile && tls.keyFile ? new experimental.FileWatcherCertificateProvider({ certificateFile: tls.certFile, privateKeyFile: tls.keyFile, refreshIntervalMs }) : null;
  return experimental.createCertificateProviderChannelCredentials(ca, identity);
}
