// A Kafka broker and a Postgres server of one test's own, started with the same component scripts as
// the shared stack but in another STACK_DIR and on other ports. Fault tests stop and start them; the
// shared stack is used by other test files at the same time and must never be restarted.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { PipelineError } from '@llmpt/core';
import { createKafka, type Kafka } from '@llmpt/runtime/kafka';
import { migrate } from '@llmpt/runtime/ops';
import { PLAINTEXT_SECURITY, Secret, type KafkaSecurity, type Logger } from '@llmpt/runtime';
import { readStackEnvFile } from './env.ts';
import { repoRoot } from './paths.ts';

export interface PrivateStackOptions {
  /** Names the folder under .stack/ (data, logs, env.d). */
  readonly name: string;
  /**
   * Defaults keep clear of the shared stack (Kafka 39092–39095, Postgres 54322, PostgREST 54321/54330)
   * and of Linux's ephemeral range (32768–60999, /proc/sys/net/ipv4/ip_local_port_range): a private
   * broker (re)starts while the other tests hold hundreds of client connections, and one of them
   * bound to a listener's port made the broker exit at start (CI, stop 24). Pick ports below 32768.
   */
  readonly kafkaPort?: number;
  readonly kafkaControllerPort?: number;
  readonly pgPort?: number;
  /** Apply migrations/ to the database (default true). */
  readonly migrate?: boolean;
  /** Start a Postgres too (default true); false: a broker only (kafka.sh), databaseUrl is ''. */
  readonly postgres?: boolean;
  /** The broker's SASL_SSL and mTLS listeners (kafka.sh; default: the controller port + 1 and + 2). */
  readonly kafkaSaslSslPort?: number;
  readonly kafkaSslPort?: number;
  /**
   * false: no plaintext listener (KAFKA_PLAINTEXT=false): kafkaBrokers is then the SASL_SSL address and
   * `kafka` logs in there as llmpt-admin (SCRAM-SHA-512). Default true.
   */
  readonly kafkaPlaintext?: boolean;
}

/** What the broker's TLS and SASL setup is made of (kafka.sh writes it; docs/deploying.md "Local stack"). */
export interface PrivateKafkaSecurity {
  readonly saslSslBrokers: readonly string[];
  /** The mTLS listener (a client certificate of the stack's CA required; principal = its CN). */
  readonly sslBrokers: readonly string[];
  /** The stack's CA (what clients trust), the certificates dir (clients/<user>.crt|.key, expired.*, other-ca.crt). */
  readonly caFile: string;
  readonly tlsDir: string;
  /** users.env (mode 600): KAFKA_USER_<user with _ for ->_PASSWORD=... */
  readonly usersFile: string;
  /** A SCRAM/PLAIN user's password, from users.env. */
  password(user: string): string;
}

export interface PrivateStack {
  /** STACK_DIR of this stack (.stack/<name>). */
  readonly dir: string;
  readonly kafkaBrokers: readonly string[];
  /** How `kafka` reaches kafkaBrokers: plaintext, or llmpt-admin over SASL_SSL (kafkaPlaintext false). */
  readonly kafkaSecurity: KafkaSecurity;
  readonly security: PrivateKafkaSecurity;
  /** The `llmpt` database of the private server, migrated. */
  readonly databaseUrl: string;
  /** A client on the private broker with fast retries (test code; services get their own). */
  readonly kafka: Kafka;
  /** `kafka.sh down`: controlled shutdown of the KRaft process, waits until it exited. */
  kafkaDown(): Promise<void>;
  /** `kafka.sh up`: restarts on the same data; resolves once the broker answers metadata requests. */
  kafkaUp(): Promise<void>;
  /** `postgres.sh down` (pg_ctl stop -m fast: open connections are terminated). */
  postgresDown(): Promise<void>;
  /** `postgres.sh up`: resolves once the server accepts TCP connections. */
  postgresUp(): Promise<void>;
  /** Stops both servers and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The private Kafka and Postgres of a test did not start or stop. */
export class PrivateStackError extends PipelineError {
  declare readonly code: 'PRIVATE_STACK_FAILED';
  constructor(message: string) {
    super('PRIVATE_STACK_FAILED', message);
  }
}

function runScript(script: 'kafka' | 'postgres', action: 'up' | 'down', env: Record<string, string>) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'scripts', 'stack', `${script}.sh`), action], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new PrivateStackError(`${script}.sh ${action} exited with ${code}:\n${out.trim()}`)),
    );
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a private Kafka and Postgres (clean: leftovers of an earlier run in the same folder are
 * stopped and removed first), migrates its database and returns handles to stop and start each.
 */
export async function startPrivateStack(opts: PrivateStackOptions): Promise<PrivateStack> {
  const dir = path.join(repoRoot, '.stack', opts.name);
  const kafkaPort = opts.kafkaPort ?? 29192;
  const kafkaControllerPort = opts.kafkaControllerPort ?? 29193;
  const pgPort = opts.pgPort ?? 29422;
  const saslSslPort = opts.kafkaSaslSslPort ?? kafkaControllerPort + 1;
  const sslPort = opts.kafkaSslPort ?? kafkaControllerPort + 2;
  const withPostgres = opts.postgres ?? true;
  const kafkaEnv = {
    STACK_DIR: dir,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(kafkaControllerPort),
    KAFKA_SASL_SSL_PORT: String(saslSslPort),
    KAFKA_SSL_PORT: String(sslPort),
    KAFKA_PLAINTEXT: String(opts.kafkaPlaintext ?? true),
    // Smaller heap than the shared broker: this one holds one test's topics.
    KAFKA_HEAP: '-Xmx384m -Xms128m',
  };
  const pgEnv = { STACK_DIR: dir, PG_PORT: String(pgPort) };
  const stopAll = async () => {
    const errors: unknown[] = [];
    await Promise.all([
      runScript('kafka', 'down', kafkaEnv).catch((e: unknown) => errors.push(e)),
      withPostgres
        ? runScript('postgres', 'down', pgEnv).catch((e: unknown) => errors.push(e))
        : Promise.resolve(),
    ]);
    // postgres.sh may have put the data dir under /var/tmp (see postgres.path): remove that too.
    const pgBase = await readPgBase(dir);
    await rm(dir, { recursive: true, force: true });
    if (pgBase?.startsWith('/var/tmp/llmpt-pg-')) await rm(pgBase, { recursive: true, force: true });
    if (errors.length) throw errors[0];
  };

  await stopAll();
  for (const port of [
    kafkaPort,
    kafkaControllerPort,
    saslSslPort,
    sslPort,
    ...(withPostgres ? [pgPort] : []),
  ])
    if (await portInUse(port))
      throw new PrivateStackError(
        `startPrivateStack: port ${port} is taken; pass other kafkaPort/kafkaControllerPort/pgPort`,
      );
  // A start that fails half way (the broker exits, a migration fails) stops what did start: a server
  // left running holds the ports, and every later start of this stack would fail on them.
  const { vars, kafkaBrokers, databaseUrl } = await (async () => {
    // Side by side: the broker's JVM start is the long part, Postgres is ready well before it.
    await Promise.all([
      withPostgres ? runScript('postgres', 'up', pgEnv) : Promise.resolve(),
      runScript('kafka', 'up', kafkaEnv),
    ]);
    const vars = readStackEnvFile(dir);
    const kafkaBrokers = (vars.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
    const databaseUrl = vars.DATABASE_URL ?? '';
    if (kafkaBrokers.length === 0 || (withPostgres && !databaseUrl))
      throw new PrivateStackError(`startPrivateStack: ${dir}/env.d lacks KAFKA_BROKERS or DATABASE_URL`);
    if (withPostgres && (opts.migrate ?? true))
      await migrate({ databaseUrl, dir: path.join(repoRoot, 'migrations') });
    return { vars, kafkaBrokers, databaseUrl };
  })().catch(async (err: unknown) => {
    await stopAll().catch(() => undefined);
    throw err;
  });
  const security = privateKafkaSecurity(vars);
  const kafkaSecurity: KafkaSecurity =
    opts.kafkaPlaintext === false
      ? {
          protocol: 'SASL_SSL',
          tls: { ca: await readFile(security.caFile, 'utf8') },
          sasl: {
            mechanism: 'SCRAM-SHA-512',
            username: 'llmpt-admin',
            password: new Secret(security.password('llmpt-admin')),
          },
        }
      : PLAINTEXT_SECURITY;
  const logger: Logger = pino({ name: opts.name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kafka = createKafka({
    brokers: kafkaBrokers,
    clientId: `${opts.name}-test`,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logger,
    security: kafkaSecurity,
  });

  let stopped = false;
  return {
    dir,
    kafkaBrokers,
    kafkaSecurity,
    security,
    databaseUrl,
    kafka,
    kafkaDown: () => runScript('kafka', 'down', kafkaEnv),
    kafkaUp: () => runScript('kafka', 'up', kafkaEnv),
    postgresDown: () => runScript('postgres', 'down', pgEnv),
    postgresUp: () => runScript('postgres', 'up', pgEnv),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
    },
  };
}

function privateKafkaSecurity(vars: Record<string, string>): PrivateKafkaSecurity {
  const need = (name: string) => {
    const v = vars[name];
    if (!v) throw new PrivateStackError(`startPrivateStack: env.d lacks ${name} (an older kafka.sh?)`);
    return v;
  };
  const usersFile = need('KAFKA_STACK_USERS_FILE');
  return {
    saslSslBrokers: need('KAFKA_SASL_SSL_BROKERS').split(','),
    sslBrokers: need('KAFKA_SSL_BROKERS').split(','),
    caFile: need('KAFKA_STACK_CA_FILE'),
    tlsDir: need('KAFKA_STACK_TLS_DIR'),
    usersFile,
    password(user) {
      const name = `KAFKA_USER_${user.replace(/-/g, '_')}_PASSWORD`;
      const line = readFileSync(usersFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${name}=`));
      if (!line) throw new PrivateStackError(`startPrivateStack: no ${name} in ${usersFile}`);
      return line.slice(name.length + 1).trim();
    },
  };
}

async function readPgBase(dir: string): Promise<string | undefined> {
  return readFile(path.join(dir, 'postgres.path'), 'utf8').then(
    (s) => s.trim() || undefined,
    () => undefined,
  );
}
