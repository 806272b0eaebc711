// Regenerates packages/proto/src/gen from proto/ with buf + ts-proto (both npm packages, no protoc
// download). With --check, generates into a temporary folder and fails if the committed code differs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'packages/proto/src/gen');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'locscope-proto-')) : join(root, 'packages/proto/src');
const buf = join(root, 'node_modules/.bin/buf');
const run = (args) => execFileSync(buf, args, { cwd: join(root, 'proto'), stdio: 'inherit' });

run(['lint']);
if (!check) rmSync(committed, { recursive: true, force: true });
run(['generate', '--output', out]);
if (check) {
  const diff = () => execFileSync('diff', ['-r', committed, join(out, 'gen')], { stdio: 'inherit' });
  try {
    diff();
  } catch {
    console.error('packages/proto/src/gen is stale: run `npm run proto` and commit the result');
    process.exit(1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
