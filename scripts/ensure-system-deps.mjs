// Makes sure the system programs the test suite needs are present: nats-server (NATS tests),
// chromium (report rendering test), the Python client's toolchain (Debian's protoc, gRPC plugin,
// python3-grpcio) and kubectl (its kustomize renders deploy/k8s). Installs all but kubectl from
// Debian's packages when missing and we are root; otherwise says what to install and fails,
// because those tests must never be skipped.
import { execFileSync, spawnSync } from 'node:child_process';

const needed = [
  { program: 'nats-server', pkg: 'nats-server' },
  { program: 'chromium', pkg: 'chromium' },
  // The Python client: its stubs' generator (protoc, the gRPC plugin, the well-known .protos of
  // grpc-tools) and what it runs on (grpcio, protobuf, numpy, venv for the offline pip install).
  { program: 'protoc', pkg: 'protobuf-compiler' },
  { program: 'grpc_python_plugin', pkg: 'protobuf-compiler-grpc' },
  { program: '/usr/bin/python3 -c "import grpc_tools"', pkg: 'python3-grpc-tools' },
  { program: '/usr/bin/python3 -c "import grpc"', pkg: 'python3-grpcio' },
  { program: '/usr/bin/python3 -c "import google.protobuf"', pkg: 'python3-protobuf' },
  { program: '/usr/bin/python3 -c "import numpy"', pkg: 'python3-numpy' },
  { program: '/usr/bin/python3 -c "import ensurepip"', pkg: 'python3-venv' },
];

/** A program name is looked up on PATH; a command line (a Python import) must succeed. */
const has = (program) =>
  spawnSync('sh', ['-c', program.includes(' ') ? program : `command -v ${program}`], { stdio: 'ignore' }).status === 0;

// Debian's kubectl (kubernetes-client 1.20) embeds a kustomize too old for deploy/k8s, so it is
// never installed from there: CI's machine image has a current one; elsewhere see deploy/README.md.
if (!has('kubectl')) {
  console.error('missing program: kubectl (≥ 1.27, with kustomize v5); see deploy/README.md, "Getting kubectl"');
  process.exit(1);
}

const missing = needed.filter((n) => !has(n.program));
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(`missing programs: ${missing.map((m) => m.program).join(', ')}; install Debian packages: ${pkgs.join(' ')}`);
    process.exit(1);
  }
  console.error(`installing ${pkgs.join(' ')} from Debian packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
}
