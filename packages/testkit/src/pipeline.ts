import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { groupLag, highWatermarks } from '@llmpt/runtime/kafka';
import { normalizerInputTopics, topics, sinkInputTopics } from '@llmpt/runtime';
import { repoRoot } from './paths.ts';

/** Where a pipeline run points: the same variables the services read in production. */
export interface PipelineSettings {
  readonly kafkaBrokers: string;
  readonly databaseUrl?: string;
  readonly supabaseUrl?: string;
  readonly supabaseServiceRoleKey?: string;
  readonly store: 'postgres' | 'supabase';
  readonly topicPrefix: string;
  readonly openRouterBaseUrl: string;
  readonly providerPagesBaseUrl?: string;
  readonly scrapeProviderSites: boolean;
  readonly alertThreshold?: string;
  readonly logDir: string;
  readonly logLevel?: string;
  /** Each service's KAFKA_SECURITY_PROTOCOL... variables (docs/deploying.md); none: plaintext. */
  readonly kafkaEnv?: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>>;
}

export type ServiceName = 'discovery' | 'scraper' | 'normalizer' | 'sink';

/** Consumer group of each consuming service, per topic prefix (each test run has its own). */
export function groupIds(prefix: string): Record<'scraper' | 'normalizer' | 'sink', string> {
  return {
    scraper: `${prefix}pricing-scraper`,
    normalizer: `${prefix}pricing-normalizer`,
    sink: `${prefix}pricing-sink`,
  };
}

/** The environment a service gets: exactly the variables its config.ts accepts. */
export function serviceEnv(
  service: ServiceName,
  s: PipelineSettings,
  extra: Record<string, string> = {},
): Record<string, string> {
  const common: Record<string, string> = {
    KAFKA_BROKERS: s.kafkaBrokers,
    TOPIC_PREFIX: s.topicPrefix,
    LOG_LEVEL: s.logLevel ?? 'info',
    HEALTH_PORT: '0',
    ...s.kafkaEnv?.[service],
  };
  const groups = groupIds(s.topicPrefix);
  switch (service) {
    case 'discovery':
      return { ...common, OPENROUTER_BASE_URL: s.openRouterBaseUrl, ...extra };
    case 'scraper':
      return {
        ...common,
        GROUP_ID: groups.scraper,
        OPENROUTER_BASE_URL: s.openRouterBaseUrl,
        SCRAPE_PROVIDER_SITES: String(s.scrapeProviderSites),
        ...(s.providerPagesBaseUrl ? { PROVIDER_PAGES_BASE_URL: s.providerPagesBaseUrl } : {}),
        ALLOW_PRIVATE_ADDRESSES: 'true',
        ...extra,
      };
    case 'normalizer':
      return {
        ...common,
        GROUP_ID: groups.normalizer,
        ...(s.alertThreshold ? { ALERT_THRESHOLD: s.alertThreshold } : {}),
        ...extra,
      };
    case 'sink':
      return {
        ...common,
        GROUP_ID: groups.sink,
        STORE: s.store,
        ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}),
        ...(s.supabaseUrl ? { SUPABASE_URL: s.supabaseUrl } : {}),
        ...(s.supabaseServiceRoleKey ? { SUPABASE_SERVICE_ROLE_KEY: s.supabaseServiceRoleKey } : {}),
        ...extra,
      };
  }
}

/** The command that runs a service from source (the images run the same entry point, built). */
export function serviceCommand(service: ServiceName): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', path.join('services', service, 'src', 'main.ts')],
  };
}

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a service as its own process, its logs in `logDir/<name>.log`. */
export function startService(
  service: ServiceName,
  s: PipelineSettings,
  extra: Record<string, string> = {},
  /** Node flags before the script (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  mkdirSync(s.logDir, { recursive: true });
  const log = createWriteStream(path.join(s.logDir, `${service}.log`), { flags: 'a' });
  const { command, args } = serviceCommand(service);
  const child = spawn(command, [...nodeArgs, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...serviceEnv(service, s, extra) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: service,
    child,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion from the repository root with only the given environment (plus PATH, HOME). */
export function runProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs discovery to completion and returns its exit code and output (the one-line summary). */
export async function runDiscoveryJob(
  s: PipelineSettings,
  runId: string,
  extra: Record<string, string> = {},
): Promise<ProcessRun> {
  const { command, args } = serviceCommand('discovery');
  return runProcess(command, args, serviceEnv('discovery', s, { RUN_ID: runId, ...extra }));
}

/**
 * Runs `npm run backfill`'s entry point on `source` as its own process, paced on the pipeline's scraper
 * and normalizer groups (`extra`: more flags, e.g. --newest-first), and returns its exit code and output.
 */
export function runBackfillCommand(
  s: Pick<PipelineSettings, 'kafkaBrokers' | 'topicPrefix'>,
  source: string,
  extra: readonly string[] = [],
): Promise<ProcessRun> {
  const groups = groupIds(s.topicPrefix);
  return runProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join('services', 'discovery', 'src', 'cli', 'backfill.ts'),
      source,
      ...extra,
      '--scraper-group',
      groups.scraper,
      '--normalizer-group',
      groups.normalizer,
    ],
    { KAFKA_BROKERS: s.kafkaBrokers, TOPIC_PREFIX: s.topicPrefix, LOG_LEVEL: 'warn' },
  );
}

/**
 * Waits until each group has committed everything on its topics and nothing new was produced between
 * two polls (any set of groups: a copy of a pipeline without a scraper, a second sink).
 */
export async function waitForGroups(
  kafka: Kafka,
  watch: readonly (readonly [group: string, topics: readonly string[]])[],
  opts: { timeoutMs?: number; intervalMs?: number; services?: readonly ServiceProcess[] } = {},
): Promise<void> {
  const all = [...new Set(watch.flatMap(([, ts]) => ts))];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const timeoutMs = opts.timeoutMs ?? 240_000;
    const deadline = Date.now() + timeoutMs;
    let lastMarks = -1n;
    let quiet = 0;
    let lag = -1n;
    let lastError: unknown;
    while (Date.now() < deadline) {
      for (const s of opts.services ?? [])
        if (s.child.exitCode !== null || s.child.signalCode !== null)
          throw new Error(`${s.name} exited (${s.child.exitCode ?? s.child.signalCode}) while awaited`);
      try {
        lag = 0n;
        for (const [group, ts] of watch) lag += await groupLag(admin, group, ts);
        const marks = await highWatermarks(admin, all);
        quiet = lag === 0n && marks === lastMarks ? quiet + 1 : 0;
        if (quiet >= 2) return;
        lastMarks = marks;
      } catch (err) {
        // Right after a broker restart the group coordinator may still be loading: not drained yet.
        lastError = err;
        lag = -1n;
        quiet = 0;
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
    }
    const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
    throw new Error(
      `groups ${watch.map(([g]) => g).join(', ')} did not drain within ${timeoutMs} ms (lag ${lag})${why}`,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every consuming stage has committed everything on its input topics and nothing new was
 * produced between two polls: then the sink has written all there is.
 */
export function waitForDrain(
  kafka: Kafka,
  prefix: string,
  opts: { timeoutMs?: number; intervalMs?: number; services?: readonly ServiceProcess[] } = {},
): Promise<void> {
  const groups = groupIds(prefix);
  const t = (name: string) => prefix + name;
  return waitForGroups(
    kafka,
    [
      [groups.scraper, [t(topics.modelDiscovered.name)]],
      [groups.normalizer, normalizerInputTopics.map(t)],
      [groups.sink, sinkInputTopics.map(t)],
    ],
    {
      timeoutMs: opts.timeoutMs ?? 300_000,
      // Two quiet polls after the last change: 250 ms apart (500 made every drain wait 1-1.5 s more).
      intervalMs: opts.intervalMs ?? 250,
      ...(opts.services ? { services: opts.services } : {}),
    },
  );
}
