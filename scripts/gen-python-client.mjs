// Regenerates the Python client's stubs (clients/python/locscope/v1/*_pb2.py, *_pb2_grpc.py, and the
// Open Inference Protocol's clients/python/inference/grpc_predict_v2_pb2*.py) from proto/ with Debian's protoc and gRPC Python plugin (packages protobuf-compiler,
// protobuf-compiler-grpc; google/protobuf/*.proto from python3-grpc-tools). The stubs are committed
// so `pip install ./clients/python` needs no compiler. With --check, generates into a temporary
// folder and fails if the committed stubs differ.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clientRoot = join(root, 'clients/python');
/** Generated folders, each a Python package named as its proto package. */
const packages = ['locscope/v1', 'inference'];
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'locscope-python-')) : clientRoot;

const wellKnown = execFileSync('/usr/bin/python3', ['-c', 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))'])
  .toString()
  .trim();
const protos = packages.flatMap((dir) => readdirSync(join(root, 'proto', dir)).filter((f) => f.endsWith('.proto')).sort().map((f) => `${dir}/${f}`));
if (!check) for (const dir of packages) for (const f of readdirSync(join(clientRoot, dir))) if (/_pb2(_grpc)?\.py$/.test(f)) rmSync(join(clientRoot, dir, f));
execFileSync(
  'protoc',
  ['-I', '.', '-I', wellKnown, `--python_out=${out}`, `--grpc_python_out=${out}`, '--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin', ...protos],
  { cwd: join(root, 'proto'), stdio: 'inherit' },
);
if (check) {
  try {
    for (const dir of packages) execFileSync('diff', ['-r', '-x', '__init__.py', '-x', '__pycache__', join(clientRoot, dir), join(out, dir)], { stdio: 'inherit' });
  } catch {
    console.error(`clients/python/{${packages.join(',')}} is stale: run \`npm run proto\` and commit the result`);
    process.exit(1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
