// gRPC reflection from the API's real descriptors. proto-loader regroups files per package under
// invented names (`locscope_v1.proto`) with no dependencies, which grpcurl and `buf curl` cannot
// resolve; the FileDescriptorSet built by buf from the .proto files keeps each file's own name and
// imports, so standard tools see exactly the files a client would compile.
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { readFileSync } from 'node:fs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
/**
 * grpc.health.v1 (the service every server registers) as `grpc/health/v1/health.proto`, built by
 * `npm run proto` from grpc-health-check's own health.proto.
 */
const HEALTH_DESCRIPTOR_SET = new Uint8Array(readFileSync(new URL('./gen/health.binpb', import.meta.url)));

interface FileDescriptor {
  name: string;
}

/**
 * Serves reflection (v1 and v1alpha) for `services` (and Health) from encoded FileDescriptorSets;
 * a file present in several sets is served once.
 */
export function addReflection(server: Server, descriptorSets: Uint8Array[], services: string[]): void {
  const files = new Map<string, Uint8Array>();
  for (const set of [HEALTH_DESCRIPTOR_SET, ...descriptorSets]) {
    const decoded = descriptor.FileDescriptorSet.decode(set) as unknown as { file: FileDescriptor[] };
    for (const file of decoded.file) {
      if (!files.has(file.name)) files.set(file.name, descriptor.FileDescriptorProto.encode(file).finish());
    }
  }
  // The reflection implementation reads only `fileDescriptorProtos` from each definition entry,
  // the same shape proto-loader produces.
  const definition = Object.fromEntries([...files].map(([name, bytes]) => [name, { fileDescriptorProtos: [bytes] }]));
  new ReflectionService(definition as unknown as PackageDefinition, { services: [HEALTH_SERVICE_NAME, ...services] }).addToServer(server);
}

