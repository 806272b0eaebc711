// Dependency rules of the repo (ARCHITECTURE.md, "Layers"), checked by `npm run deps:check` in `npm test`.
// Layers, lowest first: proto (generated API code) ← packages ← services ← orchestrator; tools and
// test/ sit on top and may use anything. Every arrow points down; no file imports itself back.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Files that services publish through their package.json `exports` (the only ones others may import). */
const serviceEntries = readdirSync(join(__dirname, 'services')).flatMap((service) => {
  const { exports = {} } = JSON.parse(readFileSync(join(__dirname, 'services', service, 'package.json'), 'utf8'));
  return Object.values(exports).map((file) => `^services/${service}/${file.replace(/^\.\//, '').replace(/[.]/g, '\\.')}$`);
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle means two files hold one concept, or a contract lives in the wrong file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-below-services',
      severity: 'error',
      comment: 'Shared libraries never reach into a service: a service depends on them, not the other way round.',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'services-below-orchestrator',
      severity: 'error',
      comment: 'Services are called by the orchestrator; they never depend on it.',
      from: { path: '^(packages|services/(?!orchestrator/))' },
      to: { path: '^services/orchestrator/' },
    },
    {
      name: 'other-services-through-their-entries',
      severity: 'error',
      comment: "Another service is used through its package entries (package.json exports), never its internal files.",
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: ['^services/$1/', ...serviceEntries] },
    },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      comment: 'Product code never imports a test file.',
      from: { pathNot: '(\\.test\\.ts$|^test/|/testing/|testing\\.ts$|/test-[^/]*\\.ts$|^tools/)' },
      to: { path: '\\.test\\.ts$' },
    },
    {
      name: 'declared-dependencies',
      severity: 'error',
      comment: 'Every npm package imported is declared in the package.json of the workspace (or the root, for tests and tools).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'resolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/gen/', '/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    // Workspace packages resolve through their package.json `exports`, to the .ts sources.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
