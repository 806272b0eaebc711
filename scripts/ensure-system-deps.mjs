// Makes sure the system programs the test suite needs are present: nats-server (NATS tests),
// chromium (report rendering test) and kubectl (its kustomize renders deploy/k8s). Installs the first
// two from Debian's packages when missing and we are root; otherwise says what to install and
// fails, because those tests must never be skipped.
import { execFileSync, spawnSync } from 'node:child_process';

const needed = [
  { program: 'nats-server', pkg: 'nats-server' },
  { program: 'chromium', pkg: 'chromium' },
];

const has = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

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
