// A private Kafka of one test with the security of scripts/stack/kafka.sh: SASL_SSL (SCRAM) and mTLS
// listeners, the StandardAuthorizer with no access without an ACL, the principals as SCRAM users
// (passwords in $STACK_DIR/kafka/users.env). Started with kafka.sh in its own STACK_DIR and ports;
// the shared stack is never touched.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { createKafka, type Kafka } from '@llmpt/runtime/kafka';
import type { Logger } from '@llmpt/runtime';
import { readStackEnvFile } from './env.ts';
import { repoRoot } from './paths.ts';
import { portInUse, PrivateStackError } from './private-stack.ts';

export interface SecureKafkaOptions {
  /** Names the folder under .stack/. */
  readonly name: string;
  /** Four free ports: plaintext (ANONYMOUS, a super user), controller, SASL_SSL, mTLS. */
  readonly ports: readonly [number, number, number, number];
}

export interface KafkaAsOptions {
  readonly password?: string;
  /** kafkajs's logs (default: silent unless TEST_LOG_LEVEL). */
  readonly logger?: Logger;
  readonly retry?: { retries: number; initialRetryTime?: number; maxRetryTime?: number };
}

export interface SecureKafka {
  readonly dir: string;
  /** host:port of the SASL_SSL listener. */
  readonly saslSslBrokers: readonly string[];
  /** The CA that signed the broker's certificate (PEM). */
  readonly caFile: string;
  /** A SCRAM user's password from users.env. */
  password(user: string): string;
  /** A client authenticated as `user` (SCRAM-SHA-512 over TLS), few and fast retries. */
  kafkaAs(user: string, opts?: KafkaAsOptions): Kafka;
  /** `kafka.sh down` and the folder removed. Safe to call twice. */
  stop(): Promise<void>;
}

function runKafkaScript(action: 'up' | 'down', env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'scripts', 'stack', 'kafka.sh'), action], {
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
        : reject(new PrivateStackError(`kafka.sh ${action} exited with ${code}:\n${out.trim()}`)),
    );
  });
}

export async function startSecureKafka(opts: SecureKafkaOptions): Promise<SecureKafka> {
  const dir = path.join(repoRoot, '.stack', opts.name);
  const [port, controllerPort, saslSslPort, sslPort] = opts.ports;
  const env = {
    STACK_DIR: dir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_SASL_SSL_PORT: String(saslSslPort),
    KAFKA_SSL_PORT: String(sslPort),
    KAFKA_PARTITIONS: '1',
    KAFKA_HEAP: '-Xmx384m -Xms128m',
  };
  const stopAndClean = async () => {
    await runKafkaScript('down', env);
    await rm(dir, { recursive: true, force: true });
  };
  await stopAndClean();
  for (const p of opts.ports)
    if (await portInUse(p))
      throw new PrivateStackError(`startSecureKafka: port ${p} is taken; pass other ports`);
  await runKafkaScript('up', env);
  const vars = readStackEnvFile(dir);
  const saslSslBrokers = (vars.KAFKA_SASL_SSL_BROKERS ?? '').split(',').filter(Boolean);
  const caFile = vars.KAFKA_STACK_CA_FILE ?? '';
  const usersFile = vars.KAFKA_STACK_USERS_FILE ?? '';
  if (saslSslBrokers.length === 0 || !caFile || !usersFile)
    throw new PrivateStackError(
      `startSecureKafka: ${dir}/env.d lacks the SASL_SSL listener, the CA or the users file`,
    );
  const ca = readFileSync(caFile, 'utf8');
  const passwords = parseUsers(readFileSync(usersFile, 'utf8'));
  const password = (user: string) => {
    const p = passwords[`KAFKA_USER_${user.replaceAll('-', '_')}_PASSWORD`];
    if (!p) throw new PrivateStackError(`startSecureKafka: no password for ${user} in ${usersFile}`);
    return p;
  };
  const logger = pino({ name: opts.name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let stopped = false;
  return {
    dir,
    saslSslBrokers,
    caFile,
    password,
    kafkaAs: (user, o = {}) =>
      createKafka({
        brokers: saslSslBrokers,
        clientId: `${opts.name}-${user}`,
        // Idempotent producers require retries; authorization errors are not retried by kafkajs anyway.
        retry: o.retry ?? { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
        logger: o.logger ?? logger,
        ssl: { ca: [ca] },
        sasl: { mechanism: 'scram-sha-512', username: user, password: o.password ?? password(user) },
      }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAndClean();
    },
  };
}

function parseUsers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(KAFKA_USER_[A-Za-z0-9_]+_PASSWORD)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}
