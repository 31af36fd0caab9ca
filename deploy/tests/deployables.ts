// What the deploy files say, read back for the tests: the commands (Dockerfile CMD, docker-compose.yml
// `command`, k8s container `args`), the environment each runnable gets, and the env schemas that the
// services and CLIs accept. The tests compare these so a deploy file cannot drift from the code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { repoRoot } from '@llmpt/core/paths';
import { env, kafkaSecurityEnv } from '@llmpt/runtime';
import { discoveryEnvSchema } from '@llmpt/discovery';
import { normalizerEnvSchema } from '@llmpt/normalizer';
import { notifierEnvSchema } from '@llmpt/notifier';
import { scraperEnvSchema } from '@llmpt/scraper';
import { replayEnvSchema, sinkEnvSchema } from '@llmpt/sink';
import { apiEnvSchema } from '@llmpt/api';
import { verifierEnvSchema } from '@llmpt/verifier';
import { containersOf, kustomizeBuild, type Container, type Manifest } from './kustomize.ts';

export { repoRoot };
export const k8sDir = path.join(repoRoot, 'deploy', 'k8s');

/** Everything the images can run: the services and the one-shot CLIs. */
export type Runnable =
  | 'discovery'
  | 'scraper'
  | 'normalizer'
  | 'sink'
  | 'notifier'
  | 'api'
  | 'verifier'
  | 'migrate'
  | 'topics'
  | 'replay'
  | 'backfill';
export const SERVICES = [
  'discovery',
  'scraper',
  'normalizer',
  'sink',
  'notifier',
  'api',
  'verifier',
] as const;

/** The env each runnable accepts. The CLIs parse inline (packages/runtime/src/ops/cli/*.ts): mirrored here. */
export const envSchemas: Record<Runnable, z.ZodObject> = {
  discovery: discoveryEnvSchema,
  scraper: scraperEnvSchema,
  normalizer: normalizerEnvSchema,
  sink: sinkEnvSchema,
  notifier: notifierEnvSchema,
  api: apiEnvSchema,
  verifier: verifierEnvSchema,
  replay: replayEnvSchema,
  // cli/backfill.ts reads discovery's config.
  backfill: discoveryEnvSchema,
  // cli/migrate.ts reads DATABASE_URL (required) and MIGRATIONS_DIR (the image sets it).
  migrate: z.object({ DATABASE_URL: z.string().min(1), MIGRATIONS_DIR: z.string().optional() }),
  // cli/create-topics.ts's loadConfig schema.
  topics: z.object({
    KAFKA_BROKERS: env.brokers,
    ...kafkaSecurityEnv,
    TOPIC_PREFIX: z.string().default(''),
    KAFKA_PARTITIONS: env.positiveInt(3),
    KAFKA_REPLICATION_FACTOR: env.positiveInt(1),
    LOG_LEVEL: env.logLevel,
  }),
};

/** Names a schema accepts, and those it cannot do without (no default, not optional). */
export function envNames(r: Runnable): { accepted: string[]; required: string[] } {
  const shape = envSchemas[r].shape as Record<string, z.ZodType>;
  const accepted = Object.keys(shape);
  return { accepted, required: accepted.filter((k) => !shape[k]?.safeParse(undefined).success) };
}

/** Problems of an environment for a runnable: unknown names, and whatever the full schema rejects. */
export function envProblems(r: Runnable, vars: Record<string, string>): string[] {
  const { accepted } = envNames(r);
  const unknown = Object.keys(vars)
    .filter((k) => !accepted.includes(k))
    .map((k) => `${k} is not read by ${r}`);
  const parsed = envSchemas[r].safeParse(vars);
  const invalid = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return [...unknown, ...invalid];
}

/** Which runnable a command starts: `node services/<name>/dist/main.js` or a runtime CLI bundle. */
export function runnableOf(command: readonly string[]): Runnable {
  const [bin, script, ...rest] = command;
  // The backfill command takes its archive as an argument.
  if (bin === 'node' && script === 'services/discovery/dist/backfill.js' && rest.length === 1)
    return 'backfill';
  if (bin !== 'node' || script === undefined || rest.length)
    throw new Error(`unexpected command ${JSON.stringify(command)}`);
  const svc = /^services\/([a-z]+)\/dist\/main\.js$/.exec(script)?.[1];
  if (svc && (SERVICES as readonly string[]).includes(svc)) return svc as Runnable;
  if (script === 'packages/runtime/dist/migrate.js') return 'migrate';
  if (script === 'services/sink/dist/replay.js') return 'replay';
  if (script === 'packages/runtime/dist/create-topics.js') return 'topics';
  throw new Error(`command runs an unknown script: ${script}`);
}

// ---- Dockerfile ----

export interface DockerStage {
  name: string;
  from: string;
  entrypoint?: string[];
  cmd?: string[];
  env: Record<string, string>;
  user?: string;
}

/** Stages of the Dockerfile with ENTRYPOINT/CMD/ENV/USER (exec form only), inherited from parent stages. */
export function dockerStages(file = path.join(repoRoot, 'Dockerfile')): DockerStage[] {
  const lines = readFileSync(file, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [instr = '', ...restParts] = line.split(/\s+/);
    const rest = restParts.join(' ');
    const cur = stages.at(-1);
    switch (instr.toUpperCase()) {
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
        if (!m?.[1]) throw new Error(`bad FROM: ${line}`);
        const parent = stages.find((s) => s.name === m[1]);
        stages.push({ ...(parent ? structuredClone(parent) : { env: {} }), name: m[2] ?? '', from: m[1] });
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        if (!cur) throw new Error(`${instr} before FROM`);
        const v = JSON.parse(rest) as unknown;
        if (!Array.isArray(v)) throw new Error(`${instr} must use the exec (JSON) form: ${line}`);
        if (instr.toUpperCase() === 'CMD') cur.cmd = v as string[];
        else cur.entrypoint = v as string[];
        break;
      }
      case 'ENV':
        if (cur)
          for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)) cur.env[m[1] ?? ''] = m[2] ?? '';
        break;
      case 'USER':
        if (cur) cur.user = rest;
        break;
      default:
        break;
    }
  }
  return stages;
}

// ---- docker-compose.yml ----

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  [k: string]: unknown;
}

export function readCompose(): { doc: Record<string, unknown>; services: Record<string, ComposeService> } {
  const doc = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as Record<string, unknown>;
  return { doc, services: doc.services as Record<string, ComposeService> };
}

/** KEY=VALUE lines of a dotenv file. */
export function readDotenv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined) out[m[1]] = m[2] ?? '';
  }
  return out;
}

/**
 * Compose interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}` and `$$`.
 * Throws on an unset `:?` variable, as `docker compose config` does.
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (all, name?: string, op?: string, arg?: string) => {
      if (all === '$$') return '$';
      const v = vars[name ?? ''];
      const unset = op?.startsWith(':') ? !v : v === undefined;
      if (!unset) return v ?? '';
      if (op?.endsWith('?')) throw new Error(`${name} is required: ${arg}`);
      return op ? (arg ?? '') : '';
    },
  );
}

// ---- Kubernetes ----

export interface K8sRunnable {
  workload: string;
  kind: string;
  /** The workload's object as built (its pod spec holds the volumes). */
  manifest: Manifest;
  container: Container;
  command: string[];
  runnable: Runnable;
  /** Resolved environment (ConfigMap and Secret references looked up); optional refs to absent keys skipped. */
  env: Record<string, string>;
}

/** Resolves env entries against the ConfigMaps and Secrets given (Secret `stringData` or base64 `data`). */
export function resolveEnv(c: Container, objects: readonly Manifest[]): Record<string, string> {
  const out: Record<string, string> = {};
  const data = (kind: string, name: string): Record<string, string> | undefined => {
    const o = objects.find<Manifest & { data?: Record<string, string>; stringData?: Record<string, string> }>(
      (m): m is Manifest & { data?: Record<string, string>; stringData?: Record<string, string> } =>
        m.kind === kind && m.metadata.name === name,
    );
    if (!o) return undefined;
    const decoded = Object.fromEntries(
      Object.entries(o.data ?? {}).map(([k, v]) => [
        k,
        kind === 'Secret' ? Buffer.from(v, 'base64').toString() : v,
      ]),
    );
    return { ...decoded, ...o.stringData };
  };
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      out[e.name] = e.value;
      continue;
    }
    const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    const kind = e.valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret';
    if (!ref) throw new Error(`${c.name}: env ${e.name} has no value or supported valueFrom`);
    const v = data(kind, ref.name)?.[ref.key];
    if (v === undefined) {
      if (ref.optional) continue;
      throw new Error(
        `${c.name}: env ${e.name} refers to ${kind} ${ref.name} key ${ref.key}, which is not there`,
      );
    }
    // An empty optional value (e.g. no OpenRouter key) is the same as unset for the services.
    if (v === '' && ref.optional) continue;
    out[e.name] = v;
  }
  return out;
}

/**
 * Every container of the workloads in a build, with its command and resolved env. `lookup` supplies the
 * ConfigMaps and Secrets (by default the build itself; an overlay that drops the Secret template passes
 * the base's, whose keys are the contract for the out-of-band Secret).
 */
export function k8sRunnables(build: readonly Manifest[], lookup: readonly Manifest[] = build): K8sRunnable[] {
  return build
    .filter((m) => ['Deployment', 'Job', 'CronJob'].includes(m.kind))
    .flatMap((m) =>
      containersOf(m).map((c) => {
        // Images have ENTRYPOINT tini: `command` would replace it, so manifests give `args` only.
        if (c.command)
          throw new Error(`${m.metadata.name}/${c.name}: use args, not command (keeps tini as PID 1)`);
        const command = c.args ?? [];
        return {
          workload: m.metadata.name,
          kind: m.kind,
          manifest: m,
          container: c,
          command,
          runnable: runnableOf(command),
          env: resolveEnv(c, lookup),
        };
      }),
    );
}

export const baseBuild = (): Manifest[] => kustomizeBuild(path.join(k8sDir, 'base'));
export const exampleBuild = (): Manifest[] => kustomizeBuild(path.join(k8sDir, 'overlays', 'example'));
