// Regenerates the committed generated code from its .proto sources with buf + ts-proto (both npm
// packages, no protoc download): the API contract (proto/ → packages/proto/src/gen, with api.binpb,
// the FileDescriptorSet of every API file under its real name, imports included; and
// packages/client/src/gen for the publishable client), the ONNX schema
// the graph builder writes (packages/onnx-graph/proto → packages/onnx-graph/src/gen),
// and packages/server-kit/src/gen/health.binpb (grpc.health.v1 from grpc-health-check's own
// health.proto). Servers answer reflection from the two descriptor sets.
// With --check, generates into a temporary folder and fails if the committed output differs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const buf = join(root, 'node_modules/.bin/buf');
const check = process.argv.includes('--check');

/** Each buf module and the folder whose `gen/` its buf.gen.yaml (`out: gen`) writes. */
const trees = [
  { module: join(root, 'proto'), base: join(root, 'packages/proto/src'), lint: true, descriptors: 'api.binpb' },
  // The publishable @locscope/client carries its own copy: it must build and run without the
  // monorepo's private @locscope/proto.
  { module: join(root, 'proto'), base: join(root, 'packages/client/src'), lint: false },
  // The ONNX schema is upstream's, not ours to lint.
  { module: join(root, 'packages/onnx-graph/proto'), base: join(root, 'packages/onnx-graph/src'), lint: false },
];

let stale = false;
for (const { module, base, lint, descriptors } of trees) {
  const committed = join(base, 'gen');
  const run = (args) => execFileSync(buf, args, { cwd: module, stdio: 'inherit' });
  const generate = (into) => {
    run(['generate', '--output', into]);
    if (descriptors) run(['build', '--as-file-descriptor-set', '-o', join(into, 'gen', descriptors)]);
  };
  if (lint) run(['lint']);
  if (!check) {
    rmSync(committed, { recursive: true, force: true });
    generate(base);
    continue;
  }
  const out = mkdtempSync(join(tmpdir(), 'locscope-proto-'));
  try {
    generate(out);
    execFileSync('diff', ['-r', committed, join(out, 'gen')], { stdio: 'inherit' });
  } catch {
    console.error(`${relative(root, committed)} is stale: run \`npm run proto\` and commit the result`);
    stale = true;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const committedHealth = join(root, 'packages/server-kit/src/gen/health.binpb');
if (!check) {
  writeHealthDescriptor(committedHealth);
} else {
  const out = mkdtempSync(join(tmpdir(), 'locscope-health-'));
  try {
    writeHealthDescriptor(join(out, 'health.binpb'));
    if (!readFileSync(join(out, 'health.binpb')).equals(readFileSync(committedHealth))) throw new Error('differs');
  } catch {
    console.error(`${relative(root, committedHealth)} is stale: run \`npm run proto\` and commit the result`);
    stale = true;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
if (stale) process.exit(1);

/** grpc-health-check ships health.proto as `health/v1/health.proto`; clients know it as `grpc/health/v1/health.proto`. */
function writeHealthDescriptor(file) {
  const healthRoot = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto');
  mkdirSync(dirname(file), { recursive: true });
  execFileSync(buf, ['build', healthRoot, '--as-file-descriptor-set', '-o', file], { cwd: root, stdio: 'inherit' });
  const set = descriptor.FileDescriptorSet.decode(readFileSync(file));
  if (set.file.length !== 1) throw new Error(`expected one file in ${healthRoot}, got ${set.file.map((f) => f.name).join(', ')}`);
  set.file[0].name = 'grpc/health/v1/health.proto';
  writeFileSync(file, descriptor.FileDescriptorSet.encode(set).finish());
}
