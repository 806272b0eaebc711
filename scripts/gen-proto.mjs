// Regenerates the API's generated files with buf + ts-proto (both npm packages, no protoc
// download): packages/proto/src/gen (the TypeScript of locscope.v1, and api.binpb, the
// FileDescriptorSet of every API file under its real name, imports included) and
// packages/server-kit/src/gen/health.binpb (grpc.health.v1 from grpc-health-check's own
// health.proto). Servers answer reflection from the two descriptor sets. With --check, generates
// into a temporary folder and fails if the committed output differs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const committed = join(root, 'packages/proto/src/gen');
const committedHealth = join(root, 'packages/server-kit/src/gen/health.binpb');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'locscope-proto-')) : join(root, 'packages/proto/src');
const healthOut = check ? join(out, 'health.binpb') : committedHealth;
const buf = join(root, 'node_modules/.bin/buf');
const run = (args) => execFileSync(buf, args, { cwd: join(root, 'proto'), stdio: 'inherit' });

run(['lint']);
if (!check) rmSync(committed, { recursive: true, force: true });
run(['generate', '--output', out]);
run(['build', '--as-file-descriptor-set', '-o', join(out, 'gen/api.binpb')]);
writeHealthDescriptor(healthOut);
if (check) {
  const diff = () => execFileSync('diff', ['-r', committed, join(out, 'gen')], { stdio: 'inherit' });
  try {
    diff();
    if (!readFileSync(healthOut).equals(readFileSync(committedHealth))) throw new Error('health.binpb differs');
  } catch {
    console.error('generated proto output is stale: run `npm run proto` and commit the result');
    process.exit(1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** grpc-health-check ships health.proto as `health/v1/health.proto`; clients know it as `grpc/health/v1/health.proto`. */
function writeHealthDescriptor(file) {
  const healthRoot = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto');
  mkdirSync(dirname(file), { recursive: true });
  run(['build', healthRoot, '--as-file-descriptor-set', '-o', file]);
  const set = descriptor.FileDescriptorSet.decode(readFileSync(file));
  if (set.file.length !== 1) throw new Error(`expected one file in ${healthRoot}, got ${set.file.map((f) => f.name).join(', ')}`);
  set.file[0].name = 'grpc/health/v1/health.proto';
  writeFileSync(file, descriptor.FileDescriptorSet.encode(set).finish());
}
