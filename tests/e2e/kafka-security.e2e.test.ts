// The whole pipeline over the two recorded days (the sample catalog, as two-days.e2e.test.ts) against
// a broker of its own that has no plaintext listener (kafka.sh KAFKA_PLAINTEXT=false): every service
// logs in over SASL_SSL, each with another mechanism (scraper SCRAM-SHA-256, normalizer SCRAM-SHA-512,
// sink PLAIN, discovery SCRAM-SHA-512 with its password in a file), and the test's own client uses
// mutual TLS. Topics and rows must be exactly what expected.ts computes from the files, as for the
// plaintext run. Then the scraper is started with a wrong password, an unknown CA and an expired
// client certificate: each exits 1 at start with one line naming the variables to check, and no
// secret in its output (docs/deploying.md).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import type { NormalizedPrice } from '@llmpt/schemas';
import { createKafka } from '@llmpt/runtime/kafka';
import { Secret } from '@llmpt/runtime';
import {
  portInUse,
  runProcess,
  serviceCommand,
  serviceEnv,
  startPrivateStack,
  uniquePrefix,
  type PrivateStack,
} from '@llmpt/testkit';
import { pino } from 'pino';
import {
  bySource,
  changeRows,
  changeShapes,
  count,
  observationRows,
  observed,
  runEvents,
  valuesOf,
} from './checks.ts';
import {
  ExpectedState,
  catalogOf,
  expectedChanges,
  expectedEndpoints,
  expectedRoutedDay,
  readModels,
  type ExpectedObservation,
} from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';

const catalog = sampleCatalog();
const days = [0, 1].map((i) => {
  const models = readModels(catalog.models[i]!);
  const endpoints = JSON.parse(readFileSync(catalog.endpoints[i]!, 'utf8')) as Record<string, unknown[]>;
  const perProvider = new Map<string, ExpectedObservation>();
  for (const m of models)
    for (const [k, v] of expectedEndpoints(m.id, endpoints[m.id] ?? [])) perProvider.set(k, v);
  const routed = expectedRoutedDay(models);
  return {
    ids: [...new Set(models.map((m) => m.id))],
    routed,
    perProvider,
    all: new Map([...routed, ...perProvider]),
    catalog: catalogOf(models),
  };
});

describe('the pipeline on a broker that accepts only SASL_SSL and mTLS', () => {
  let stack: PrivateStack;
  let server: FixtureServer;
  let p: E2EPipeline;
  let adminPassword: string;
  const run = uniquePrefix('sasl').slice(2, -1);
  const last = new ExpectedState();
  const seenObservations = new Set<string>();
  const seenChanges = new Set<string>();

  beforeAll(async () => {
    stack = await startPrivateStack({
      name: 'kafka-security',
      kafkaPort: 29410,
      kafkaControllerPort: 29411,
      kafkaSaslSslPort: 29412,
      kafkaSslPort: 29413,
      kafkaPlaintext: false,
      postgres: false,
    });
    const s = stack.security;
    adminPassword = s.password('llmpt-admin');
    const passwordFile = path.join(stack.dir, 'discovery-password');
    writeFileSync(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    const sasl = (mechanism: string, password: Record<string, string>) => ({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: 'llmpt-admin',
      KAFKA_SSL_CA_FILE: s.caFile,
      ...password,
    });
    // The test's own client: mutual TLS with llmpt-admin's certificate on the SSL listener.
    const kafka = createKafka({
      brokers: s.sslBrokers,
      clientId: 'e2e-kafka-security',
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      security: {
        protocol: 'SSL',
        tls: {
          ca: readFileSync(s.caFile, 'utf8'),
          cert: readFileSync(path.join(s.tlsDir, 'clients', 'llmpt-admin.crt'), 'utf8'),
          key: new Secret(readFileSync(path.join(s.tlsDir, 'clients', 'llmpt-admin.key'), 'utf8')),
        },
      },
    });
    server = await startFixtureServer(catalog);
    p = await startPipeline({
      name: 'kafka-security',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      broker: {
        brokers: s.saslSslBrokers.join(','),
        kafka,
        serviceEnv: {
          scraper: sasl('SCRAM-SHA-256', { KAFKA_SASL_PASSWORD: adminPassword }),
          normalizer: sasl('SCRAM-SHA-512', { KAFKA_SASL_PASSWORD: adminPassword }),
          sink: sasl('PLAIN', { KAFKA_SASL_PASSWORD: adminPassword }),
          discovery: sasl('SCRAM-SHA-512', { KAFKA_SASL_PASSWORD_FILE: passwordFile }),
        },
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    await stack?.stop();
  });

  async function checkDay(index: number) {
    const day = days[index]!;
    const runId = `e2e-${run}-day${index + 1}`;
    server.setDay(index);
    const res = await p.runDay(runId);
    expect(res.code).toBe(0);
    const normalized = await runEvents(p, 'NormalizedPrice', runId);
    const got = observed(normalized);
    expect(got.size).toBe(normalized.length);
    expect(bySource(got, 'openrouter_api')).toEqual(day.routed);
    expect(bySource(got, 'openrouter_endpoints')).toEqual(day.perProvider);
    const changes = await runEvents(p, 'PriceChanged', runId);
    expect(changeShapes(changes)).toEqual(expectedChanges(last, day.all, day.catalog));

    const byId = new Map<string, NormalizedPrice>(normalized.map((e) => [e.event_id, e]));
    const rows = await observationRows(p.db, [...byId.keys()]);
    expect(rows.map((r) => r.event_id).sort()).toEqual([...byId.keys()].sort());
    for (const r of rows)
      expect({ key: r.price_key, status: r.status, values: valuesOf(r) }).toEqual({
        key: r.price_key,
        status: day.all.get(r.price_key)?.status,
        values: day.all.get(r.price_key)?.values,
      });
    const chRows = await changeRows(
      p.db,
      changes.map((e) => e.event_id),
    );
    expect(chRows.map((r) => [r.event_id, r.kind]).sort()).toEqual(
      changes.map((e) => [e.event_id, e.kind]).sort(),
    );
    for (const e of normalized) seenObservations.add(e.event_id);
    for (const e of changes) seenChanges.add(e.event_id);
    expect(await count(p.db, 'select count(*) n from price_observations')).toBe(seenObservations.size);
    expect(await count(p.db, 'select count(*) n from price_changes')).toBe(seenChanges.size);
    return { observations: normalized.length, changes: changes.length };
  }

  it('day 1 and day 2: the same events and rows as the plaintext run (expected.ts)', async () => {
    // No plaintext listener: nothing answers on KAFKA_PORT, KAFKA_BROKERS is the SASL_SSL address.
    expect(await portInUse(29410)).toBe(false);
    expect(stack.kafkaBrokers).toEqual(stack.security.saslSslBrokers);
    const figures = [await checkDay(0), await checkDay(1)];
    // The sample's known sizes (two-days.e2e.test.ts): 83 then 81 per-provider observations.
    expect([days[0]!.perProvider.size, days[1]!.perProvider.size]).toEqual([83, 81]);
    console.info('[e2e kafka-security] per day', figures);
  });

  it('a wrong password, an unknown CA and an expired client certificate end the start with one clear line', async () => {
    const s = stack.security;
    const wrongPassword = `wrong-${run}-pw`;
    const expiredKey = readFileSync(path.join(s.tlsDir, 'clients', 'expired.key'), 'utf8');
    const keyBody = expiredKey.split('\n')[1]!;
    const saslSsl = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'llmpt-admin',
    };
    const cases: {
      name: string;
      brokers: readonly string[];
      env: Record<string, string>;
      line: RegExp;
      secrets: string[];
    }[] = [
      {
        name: 'wrong password',
        brokers: s.saslSslBrokers,
        env: { ...saslSsl, KAFKA_SASL_PASSWORD: wrongPassword, KAFKA_SSL_CA_FILE: s.caFile },
        line: /^scraper: cannot connect to Kafka: Kafka refused the SASL login for user llmpt-admin \(SCRAM-SHA-512\): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/m,
        secrets: [wrongPassword, adminPassword],
      },
      {
        name: 'unknown CA',
        brokers: s.saslSslBrokers,
        env: {
          ...saslSsl,
          KAFKA_SASL_PASSWORD: adminPassword,
          KAFKA_SSL_CA_FILE: path.join(s.tlsDir, 'other-ca.crt'),
        },
        line: /^scraper: cannot connect to Kafka: the broker's TLS certificate is not trusted \(self-signed certificate in certificate chain\): check KAFKA_SSL_CA_FILE/m,
        secrets: [adminPassword],
      },
      {
        name: 'expired client certificate',
        brokers: s.sslBrokers,
        env: {
          KAFKA_SECURITY_PROTOCOL: 'SSL',
          KAFKA_SSL_CA_FILE: s.caFile,
          KAFKA_SSL_CERT_FILE: path.join(s.tlsDir, 'clients', 'expired.crt'),
          KAFKA_SSL_KEY_FILE: path.join(s.tlsDir, 'clients', 'expired.key'),
        },
        line: /^scraper: cannot connect to Kafka: the broker refused the client certificate \(TLS alert: [a-z ]+\): check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/m,
        secrets: [keyBody, adminPassword],
      },
    ];
    const { command, args } = serviceCommand('scraper');
    const started = Date.now();
    const results = await Promise.all(
      cases.map((c) =>
        runProcess(
          command,
          args,
          serviceEnv(
            'scraper',
            // Debug logs: not even kafkajs's protocol chatter may carry a secret.
            {
              ...p.settings,
              kafkaBrokers: c.brokers.join(','),
              kafkaEnv: { scraper: c.env },
              logLevel: 'debug',
            },
            { GROUP_ID: `${p.prefix}bad-${c.name.replace(/ /g, '-')}` },
          ),
        ),
      ),
    );
    for (const [i, c] of cases.entries()) {
      const r = results[i]!;
      const output = r.stdout + r.stderr;
      expect({ name: c.name, code: r.code }).toEqual({ name: c.name, code: 1 });
      expect(r.stderr, c.name).toMatch(c.line);
      console.info(`[e2e kafka-security] ${c.name}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
      for (const secret of c.secrets)
        expect(output.includes(secret), `${c.name}: a secret in the output`).toBe(false);
    }
    console.info('[e2e kafka-security] three refused starts in ms', Date.now() - started);
  });
});
