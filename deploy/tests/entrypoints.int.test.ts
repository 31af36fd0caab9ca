// Runs every workload of deploy/k8s/base the way the cluster would: the container's `args` (the same
// command as the Dockerfile CMD and docker-compose.yml, checked by the unit tests) on the bundles of
// `npm run build`, with the env the manifests resolve to plus the image's ENV. Only addresses and
// credentials are swapped for the local stack's, and names are made unique (topic prefix, group ids).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { prefixedTopics } from '@llmpt/runtime';
import { deleteTestTopics, stackEnv, uniquePrefix, waitFor } from '@llmpt/testkit';
import {
  baseBuild,
  dockerStages,
  k8sRunnables,
  repoRoot,
  type K8sRunnable,
  type Runnable,
} from './deployables.ts';
import { podSpecs } from './kustomize.ts';

const manifests = baseBuild();
const runnables = k8sRunnables(manifests);
const prefix = uniquePrefix('deploy-entrypoints');
const stack = stackEnv();
let fixture: FixtureServer;

/** The image's ENV for the target that runs this workload (llmpt-scraper → scraper, else service). */
function imageEnv(r: K8sRunnable): Record<string, string> {
  const target = r.container.image.startsWith('llmpt-scraper:') ? 'scraper' : 'service';
  const stage = dockerStages().find((s) => s.name === target);
  if (!stage) throw new Error(`no Dockerfile stage ${target}`);
  // NODE_ENV and the HOME/XDG dirs are the image's; they do not change what the test exercises.
  const { MIGRATIONS_DIR, HEALTH_PORT } = stage.env;
  return {
    ...(HEALTH_PORT ? { HEALTH_PORT } : {}),
    // The image keeps migrations at /app/migrations; here they are in the checkout.
    ...(MIGRATIONS_DIR ? { MIGRATIONS_DIR: MIGRATIONS_DIR.replace(/^\/app\//, `${repoRoot}/`) } : {}),
  };
}

/** Manifest env with the cluster's addresses and secrets replaced by the local stack's. */
function localEnv(r: K8sRunnable, healthPort: number): Record<string, string> {
  const swaps: Record<string, () => string> = {
    KAFKA_BROKERS: () => stack.kafkaBrokers.join(','),
    TOPIC_PREFIX: () => prefix,
    KAFKA_REPLICATION_FACTOR: () => '1',
    SUPABASE_URL: () => stack.supabaseUrl,
    SUPABASE_SERVICE_ROLE_KEY: () => stack.supabaseServiceRoleKey,
    DATABASE_URL: () => stack.databaseUrl,
    GROUP_ID: () => `${prefix}${r.env.GROUP_ID ?? ''}`,
    TRANSACTIONAL_ID: () => `${prefix}${r.env.TRANSACTIONAL_ID ?? ''}`,
  };
  const env: Record<string, string> = { ...imageEnv(r), ...r.env };
  for (const k of Object.keys(env)) {
    const swap = swaps[k];
    if (swap) env[k] = swap();
  }
  if ('HEALTH_PORT' in env) env.HEALTH_PORT = String(healthPort);
  // The local stack's plaintext listener: the cluster's Kafka login and certificates do not apply.
  if ('KAFKA_SECURITY_PROTOCOL' in env) env.KAFKA_SECURITY_PROTOCOL = 'PLAINTEXT';
  for (const k of Object.keys(env)) if (/^KAFKA_(SASL|SSL)_/.test(k)) delete env[k];
  return env;
}

function run(r: K8sRunnable, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const [bin, ...args] = r.command;
  if (bin !== 'node') throw new Error(`${r.workload}: expected a node command, got ${bin}`);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out.slice(-4000) };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

const runnable = (name: Runnable): K8sRunnable => {
  const r = runnables.find((x) => x.runnable === name);
  if (!r) throw new Error(`no workload runs ${name}`);
  return r;
};

beforeAll(async () => {
  // The images run the esbuild bundles, so the test does too.
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
  fixture = await startFixtureServer(sampleCatalog());
});

afterAll(async () => {
  await fixture?.close();
  await deleteTestTopics(prefix).catch(() => undefined);
});

describe('deploy/k8s workloads run with their manifest command and env', () => {
  it('the topics Job creates the topics and exits 0', async () => {
    const r = runnable('topics');
    const p = run(r, localEnv(r, 0));
    expect(await exitCode(p.child), p.output()).toBe(0);
    expect(p.output()).toContain(`topics: ${prefixedTopics('').length} created, 0 already there`);
  });

  it('the migrate Job applies the baked-in migrations dir and exits 0', async () => {
    const r = runnable('migrate');
    const p = run(r, localEnv(r, 0));
    expect(await exitCode(p.child), p.output()).toBe(0);
    // The bundle cannot find migrations/ from its own path: MIGRATIONS_DIR (the image's ENV) must be used.
    expect(p.output()).toContain(`"dir":"${repoRoot}/migrations"`);
  });

  it.each(['scraper', 'normalizer', 'sink', 'notifier'] as const)(
    'the %s Deployment becomes ready, then drains on SIGTERM within the grace period',
    async (name) => {
      const r = runnable(name);
      const port = await freePort();
      const p = run(r, localEnv(r, port));
      await waitFor(
        async () => {
          if (p.child.exitCode !== null) throw new Error(`${name} exited ${p.child.exitCode}: ${p.output()}`);
          return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
        },
        { timeoutMs: 90_000, message: `${name} /readyz 200` },
      );
      const live = await fetch(`http://127.0.0.1:${port}/livez`);
      expect(live.status).toBe(200);
      const grace = podSpecs(manifests.find((m) => m.metadata.name === r.workload)!)[0]
        ?.terminationGracePeriodSeconds as number;
      p.child.kill('SIGTERM');
      const code = await Promise.race([
        exitCode(p.child),
        new Promise<'killed'>((resolve) =>
          setTimeout(() => {
            p.child.kill('SIGKILL'); // what the kubelet does when the grace period runs out
            resolve('killed');
          }, grace * 1000).unref(),
        ),
      ]);
      expect(code, p.output()).toBe(0);
    },
  );

  it('the discovery CronJob runs to completion against a models list and exits 0', async () => {
    const r = runnable('discovery');
    // The manifest leaves OPENROUTER_BASE_URL at its default (openrouter.ai); here the fixture serves it.
    const p = run(r, { ...localEnv(r, 0), OPENROUTER_BASE_URL: fixture.url });
    expect(await exitCode(p.child), p.output()).toBe(0);
    expect(p.output()).toMatch(/^discovery run=\S+ models=[1-9]\d* sent=[1-9]\d* /m);
  });
});
