// Bundles each service's src/main.ts (and the project CLIs) into dist/*.js with esbuild, keeping npm
// packages external: the container images run plain `node dist/main.js`, no TypeScript at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  ['services/discovery/src/main.ts', 'services/discovery/dist/main.js'],
  ['services/scraper/src/main.ts', 'services/scraper/dist/main.js'],
  ['services/normalizer/src/main.ts', 'services/normalizer/dist/main.js'],
  ['services/sink/src/main.ts', 'services/sink/dist/main.js'],
  ['services/api/src/main.ts', 'services/api/dist/main.js'],
  ['services/verifier/src/main.ts', 'services/verifier/dist/main.js'],
  ['services/sink/src/cli/replay.ts', 'services/sink/dist/replay.js'],
  ['services/discovery/src/cli/backfill.ts', 'services/discovery/dist/backfill.js'],
  ['services/notifier/src/main.ts', 'services/notifier/dist/main.js'],
  ['services/notifier/src/cli/subscriptions.ts', 'services/notifier/dist/subscriptions.js'],
  ['packages/runtime/src/ops/cli/migrate.ts', 'packages/runtime/dist/migrate.js'],
  ['packages/runtime/src/ops/cli/create-topics.ts', 'packages/runtime/dist/create-topics.js'],
  ['packages/runtime/src/ops/cli/acls.ts', 'packages/runtime/dist/acls.js'],
].filter(([src]) => existsSync(src));

for (const [src, out] of entries) {
  await build({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // Workspace packages are bundled (they are TypeScript sources); npm packages stay external.
    plugins: [
      {
        name: 'external-npm-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@llmpt/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    logLevel: 'warning',
  });
  process.stdout.write(`built ${out}\n`);
}

// The price explorer (web/): static files for services/api (WEB_DIST), built by Vite.
if (existsSync('web/vite.config.ts')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ root: 'web', configFile: 'web/vite.config.ts', logLevel: 'warn' });
  process.stdout.write('built web/dist\n');
}
