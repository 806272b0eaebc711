// Client-side probes for tests and readiness checks: grpc.health.v1 Check and reflection's
// list_services, over a real socket with generic (proto-loader) clients.
import { credentials, loadPackageDefinition, type ClientDuplexStream, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const reflectionProtoPath = join(
  dirname(require.resolve('@grpc/reflection/package.json')),
  'build/proto/grpc/reflection/v1/reflection.proto',
);

interface HealthClient {
  check(request: { service: string }, callback: (error: Error | null, response: { status: string }) => void): void;
}
interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
}
interface ReflectionClient {
  ServerReflectionInfo(): ClientDuplexStream<{ list_services: string }, ReflectionResponse>;
}

function clientConstructor(protoPath: string, servicePath: string[]): ServiceClientConstructor {
  let node: GrpcObject | ServiceClientConstructor = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String }));
  for (const part of servicePath) node = (node as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
  return node as ServiceClientConstructor;
}

/** grpc.health.v1 Check: `SERVING`, `NOT_SERVING`, … for `service` ('' = the whole server). */
export async function checkHealth(address: string, service = ''): Promise<string> {
  const Health = clientConstructor(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
  const client = new Health(address, credentials.createInsecure());
  try {
    return await new Promise<string>((resolve, reject) =>
      (client as unknown as HealthClient).check({ service }, (error, response) =>
        error ? reject(error) : resolve(response.status),
      ),
    );
  } finally {
    client.close();
  }
}

/** Service names the server announces through gRPC reflection (v1). */
export async function listServicesByReflection(address: string): Promise<string[]> {
  const Reflection = clientConstructor(reflectionProtoPath, ['grpc', 'reflection', 'v1', 'ServerReflection']);
  const client = new Reflection(address, credentials.createInsecure());
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const stream = (client as unknown as ReflectionClient).ServerReflectionInfo();
      stream.on('data', (response: ReflectionResponse) => {
        resolve((response.list_services_response?.service ?? []).map((s) => s.name).sort());
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}

/** A loopback port free right now, for a test that must name a port before a process binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export { makeTestPki, type TestPki } from './test-pki.ts';
