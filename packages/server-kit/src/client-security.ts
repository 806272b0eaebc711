// The client side of TLS and authentication, for everything that calls a locscope service (the
// orchestrator, workers): `--tls-ca FILE` trusts the services' CA, `--tls-client-cert/--tls-client-key`
// present a certificate to mTLS servers, and the bearer token comes from LOCSCOPE_TOKEN or the file
// LOCSCOPE_TOKEN_FILE (never a flag: command lines are visible to every user of the machine).
import { InterceptingCall, type ChannelCredentials, type Interceptor } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { defineFlags, type FlagValues } from './command.ts';
import { stringOption } from './config.ts';
import { InvalidArgumentError } from './errors.ts';
import { clientCredentials, type ClientTls } from './tls.ts';

export const CLIENT_FLAGS = defineFlags({
  'tls-ca': { type: 'string', value: 'FILE', description: "CA of the services' certificates: call configured service addresses over TLS", env: 'LOCSCOPE_TLS_CA' },
  'tls-client-cert': { type: 'string', value: 'FILE', description: 'client certificate for services that require mTLS', env: 'LOCSCOPE_TLS_CLIENT_CERT' },
  'tls-client-key': { type: 'string', value: 'FILE', description: "the client certificate's private key", env: 'LOCSCOPE_TLS_CLIENT_KEY' },
});

export interface ClientSecurity {
  tls?: ClientTls;
  /** Sent as `authorization: Bearer …` on every call. */
  token?: string;
}

/** Client TLS from flags, then env; the token from LOCSCOPE_TOKEN, else the file LOCSCOPE_TOKEN_FILE. */
export function readClientSecurity(values: FlagValues<typeof CLIENT_FLAGS>, env: NodeJS.ProcessEnv = process.env): ClientSecurity {
  const file = (flag: keyof typeof CLIENT_FLAGS) => stringOption(values[flag], env[CLIENT_FLAGS[flag].env]);
  const [caFile, certFile, keyFile] = [file('tls-ca'), file('tls-client-cert'), file('tls-client-key')];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new InvalidArgumentError('--tls-client-cert and --tls-client-key go together', { field: certFile === undefined ? 'tls-client-cert' : 'tls-client-key' });
  }
  if (certFile !== undefined && caFile === undefined) throw new InvalidArgumentError('a client certificate needs --tls-ca', { field: 'tls-ca' });
  let token = stringOption(undefined, env.LOCSCOPE_TOKEN);
  const tokenFile = stringOption(undefined, env.LOCSCOPE_TOKEN_FILE);
  if (token === undefined && tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${tokenFile}: ${(error as Error).message}`, { field: 'LOCSCOPE_TOKEN_FILE', cause: error });
    }
    if (token === '') throw new InvalidArgumentError(`${tokenFile} is empty`, { field: 'LOCSCOPE_TOKEN_FILE' });
  }
  return {
    ...(caFile && { tls: { caFile, ...(certFile && keyFile && { certFile, keyFile }) } }),
    ...(token && { token }),
  };
}

/** Channel credentials and interceptors for a client with this security. */
export function clientSecurityOptions(security: ClientSecurity): { credentials: ChannelCredentials; interceptors: Interceptor[] } {
  const token = security.token;
  const bearer: Interceptor[] = token
    ? [
        (options, nextCall) =>
          new InterceptingCall(nextCall(options), {
            start(metadata, listener, next) {
              metadata.set('authorization', `Bearer ${token}`);
              next(metadata, listener);
            },
          }),
      ]
    : [];
  return { credentials: clientCredentials(security.tls), interceptors: bearer };
}
