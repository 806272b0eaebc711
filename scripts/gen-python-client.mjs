// Regenerates the Python client's stubs (clients/python/locscope/v1/*_pb2.py, *_pb2_grpc.py) from
// proto/ with Debian's protoc and gRPC Python plugin (packages protobuf-compiler,
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
const committed = join(clientRoot, 'locscope/v1');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'locscope-python-')) : clientRoot;

const wellKnown = execFileSync('/usr/bin/python3', ['-c', 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))'])
  .toString()
  .trim();
const protos = readdirSync(join(root, 'proto/locscope/v1')).filter((f) => f.endsWith('.proto')).sort().map((f) => `locscope/v1/${f}`);
if (!check) for (const f of readdirSync(committed)) if (/_pb2(_grpc)?\.py$/.test(f)) rmSync(join(committed, f));
execFileSync(
  'protoc',
  ['-I', '.', '-I', wellKnown, `--python_out=${out}`, `--grpc_python_out=${out}`, '--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin', ...protos],
  { cwd: join(root, 'proto'), stdio: 'inherit' },
);
if (check) {
  try {
    execFileSync('diff', ['-r', '-x', '__init__.py', '-x', '__pycache__', committed, join(out, 'locscope/v1')], { stdio: 'inherit' });
  } catch {
    console.error('clients/python/locscope/v1 is stale: run `npm run proto` and commit the result');
    process.exit(1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
