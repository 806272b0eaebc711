// Regenerates the committed generated code from its .proto sources with buf + ts-proto (both npm
// packages, no protoc download): the API contract (proto/ → packages/proto/src/gen) and the ONNX
// schema the graph builder writes (services/inference/src/onnx/proto → services/inference/src/onnx/gen).
// With --check, generates into a temporary folder and fails if the committed code differs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buf = join(root, 'node_modules/.bin/buf');
const check = process.argv.includes('--check');

/** Each buf module and the folder whose `gen/` its buf.gen.yaml (`out: gen`) writes. */
const trees = [
  { module: join(root, 'proto'), base: join(root, 'packages/proto/src'), lint: true },
  // The ONNX schema is upstream's, not ours to lint.
  { module: join(root, 'services/inference/src/onnx/proto'), base: join(root, 'services/inference/src/onnx'), lint: false },
];

let stale = false;
for (const { module, base, lint } of trees) {
  const committed = join(base, 'gen');
  const run = (args) => execFileSync(buf, args, { cwd: module, stdio: 'inherit' });
  if (lint) run(['lint']);
  if (!check) {
    rmSync(committed, { recursive: true, force: true });
    run(['generate', '--output', base]);
    continue;
  }
  const out = mkdtempSync(join(tmpdir(), 'locscope-proto-'));
  try {
    run(['generate', '--output', out]);
    execFileSync('diff', ['-r', committed, join(out, 'gen')], { stdio: 'inherit' });
  } catch {
    console.error(`${relative(root, committed)} is stale: run \`npm run proto\` and commit the result`);
    stale = true;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
if (stale) process.exit(1);
