// One Kafka login per workload (docs/kafka-acls.md "One login per workload"): every workload that talks
// to Kafka logs in as the principal the ACL data (principalAccess, through @llmpt/runtime/ops) names for
// it, and no login serves two principals. The rule, as the docs write it:
// - Kubernetes, SASL: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD come from the Secret
//   `llmpt-kafka-<p>` of the principal `llmpt-<p>`, whose KAFKA_SASL_USERNAME is the principal;
// - Kubernetes, mutual TLS: the kafka-tls volume takes user.crt and user.key from the KafkaUser's own
//   Secret, named after the principal (Strimzi names it after the user; the certificate's CN is the user);
// - docker-compose.yml: the service's login variables are interpolated from KAFKA_<P>_SASL_USERNAME,
//   KAFKA_<P>_SASL_PASSWORD, KAFKA_<P>_SSL_CERT_FILE and KAFKA_<P>_SSL_KEY_FILE (<P> = <p> upper-cased).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { principalAccess } from '@llmpt/runtime/ops';
import {
  baseBuild,
  exampleBuild,
  k8sDir,
  k8sRunnables,
  readCompose,
  readDotenv,
  repoRoot,
  type ComposeService,
} from './deployables.ts';
import { containersOf, kustomizeBuild, podSpecs, type Container, type Manifest } from './kustomize.ts';

const LOGIN_VARS = [
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
];

/** The principal the ACL data names for a workload (its short name: compose service, k8s `llmpt-<name>`). */
function principalOf(workload: string): string | undefined {
  const owners = principalAccess.filter((p) => p.workloads.includes(workload));
  if (owners.length > 1) throw new Error(`the ACL data names ${workload} under ${owners.length} principals`);
  return owners[0]?.name;
}

const shortName = (principal: string): string => principal.replace(/^llmpt-/, '');

interface ProjectedSource {
  secret?: { name: string; items?: { key: string; path: string }[] };
}

/** Problems of a Kubernetes build against the rule; `lookup` holds the Secrets to resolve (SASL). */
function k8sLoginProblems(build: readonly Manifest[], lookup: readonly Manifest[], sasl: boolean): string[] {
  const problems: string[] = [];
  const loginOwners = new Map<string, Set<string>>();
  const own = (login: string, principal: string): void => {
    loginOwners.set(login, (loginOwners.get(login) ?? new Set()).add(principal));
  };
  const kafkaWorkloads = k8sRunnables(build, lookup).filter((r) => 'KAFKA_BROKERS' in r.env);
  for (const r of kafkaWorkloads) {
    const at = `${r.workload}/${r.container.name}`;
    const principal = principalOf(r.workload.replace(/^llmpt-/, ''));
    if (!principal) {
      problems.push(`${at}: no principal of the ACL data names this workload`);
      continue;
    }
    // SASL: both variables from the principal's login Secret.
    const env = r.container.env ?? [];
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      const secret = env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name;
      if (secret !== `llmpt-kafka-${shortName(principal)}`)
        problems.push(`${at}: ${name} comes from ${secret ?? 'no Secret'}`);
      else own(`Secret ${secret}`, principal);
    }
    if (sasl && r.env.KAFKA_SASL_USERNAME !== principal)
      problems.push(`${at}: logs in as ${r.env.KAFKA_SASL_USERNAME ?? 'nobody'}, not ${principal}`);
    // Mutual TLS: the client certificate and key from the KafkaUser's own Secret.
    const [pod] = podSpecs(r.manifest);
    const volume = (pod?.volumes as { name: string; projected?: { sources: ProjectedSource[] } }[]).find(
      (v) => v.name === 'kafka-tls',
    );
    const mount = (r.container.volumeMounts as { name: string; mountPath: string }[] | undefined)?.find(
      (m) => m.name === 'kafka-tls',
    );
    const certSources = (volume?.projected?.sources ?? []).filter((s) =>
      s.secret?.items?.some((i) => i.key === 'user.crt' || i.key === 'user.key'),
    );
    if (certSources.length !== 1 || certSources[0]?.secret?.name !== principal)
      problems.push(
        `${at}: client certificate from ${certSources.map((s) => s.secret?.name).join(', ') || 'nothing'}`,
      );
    else own(`Secret ${principal}`, principal);
    // The certificate files the client reads (when set) are that Secret's items.
    for (const [name, key] of [
      ['KAFKA_SSL_CERT_FILE', 'user.crt'],
      ['KAFKA_SSL_KEY_FILE', 'user.key'],
    ] as const) {
      const file = r.env[name];
      const item = certSources[0]?.secret?.items?.find((i) => i.key === key);
      if (
        file !== undefined &&
        file !== '' &&
        (!mount || !item || file !== `${mount.mountPath}/${item.path}`)
      )
        problems.push(`${at}: ${name}=${file} is not ${key} of ${principal}`);
    }
  }
  for (const [login, owners] of loginOwners)
    if (owners.size > 1) problems.push(`${login} is shared by ${[...owners].join(', ')}`);
  return problems;
}

/** Problems of docker-compose.yml's services against the rule. */
function composeLoginProblems(services: Record<string, ComposeService>): string[] {
  const problems: string[] = [];
  const varOwners = new Map<string, Set<string>>();
  for (const [name, s] of Object.entries(services)) {
    const env = s.environment ?? {};
    if (!('KAFKA_BROKERS' in env)) continue;
    const principal = principalOf(name);
    if (!principal) {
      problems.push(`${name}: no principal of the ACL data names this service`);
      continue;
    }
    const P = shortName(principal).toUpperCase();
    for (const v of LOGIN_VARS) {
      const want = `\${KAFKA_${P}_${v.replace(/^KAFKA_/, '')}:-}`;
      if (env[v] !== want) problems.push(`${name}: ${v} is ${env[v] ?? 'unset'}, not ${want}`);
      varOwners.set(String(env[v]), (varOwners.get(String(env[v])) ?? new Set()).add(principal));
    }
  }
  for (const [v, owners] of varOwners)
    if (owners.size > 1) problems.push(`${v} is shared by ${[...owners].join(', ')}`);
  return problems;
}

const base = baseBuild();
const example = exampleBuild();
const operations = kustomizeBuild(path.join(k8sDir, 'operations'));
// The replay Job's own Secret, created out of band (deploy/k8s/operations/replay-job.yaml).
const replaySecret: Manifest = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'llmpt-replay', namespace: 'llmpt' },
  stringData: { REPLAY_DATABASE_URL: 'postgres://replay' },
};
/** What the operations Jobs resolve against: the base's ConfigMap and Secrets, and the replay Secret. */
const operationsLookup = [...base, ...operations, replaySecret];
/** What the example creates out of band: llmpt-secrets, no SASL logins (mutual TLS). */
const exampleLookup = [
  ...example,
  ...base.filter((m) => m.kind === 'Secret' && m.metadata.name === 'llmpt-secrets'),
];

describe('one Kafka login per workload', () => {
  const deployed = [...base, ...operations]
    .filter((m) => ['Deployment', 'Job', 'CronJob'].includes(m.kind))
    .map((m) => m.metadata.name.replace(/^llmpt-/, ''));

  it('the data names the workloads of docs/kafka-acls.md "One login per workload"', () => {
    // The docs' table, written out by hand.
    const table: Record<string, string[]> = {
      'llmpt-discovery': ['discovery'],
      'llmpt-scraper': ['scraper'],
      'llmpt-normalizer': ['normalizer'],
      'llmpt-sink': ['sink'],
      'llmpt-notifier': ['notifier'],
      'llmpt-verifier': ['verifier'],
      'llmpt-ops': ['backfill', 'replay', 'topics'],
    };
    const data = Object.fromEntries(
      principalAccess.filter((p) => p.workloads.length > 0).map((p) => [p.name, [...p.workloads].sort()]),
    );
    expect(data).toEqual(table);
  });

  it('every workload the ACL data names is deployed, and only Kafka clients are named', () => {
    const named = principalAccess.flatMap((p) => p.workloads);
    for (const w of named) expect(deployed, w).toContain(w);
    const kafkaClients = k8sRunnables([...base, ...operations], operationsLookup)
      .filter((r) => 'KAFKA_BROKERS' in r.env)
      .map((r) => r.workload.replace(/^llmpt-/, ''));
    expect([...named].sort()).toEqual([...kafkaClients].sort());
  });

  it.each([
    ['deploy/k8s/base (SASL)', base, base, true],
    ['deploy/k8s/operations (SASL)', operations, operationsLookup, true],
    ['deploy/k8s/overlays/example (mutual TLS)', example, exampleLookup, false],
  ])('%s: each Kafka workload logs in as its own principal', (_name, build, lookup, sasl) => {
    expect(k8sLoginProblems(build, lookup, sasl)).toEqual([]);
  });

  it('the base login templates are one per principal with workloads, named after it', () => {
    const logins = base.filter((m) => m.metadata.name.startsWith('llmpt-kafka-')) as (Manifest & {
      stringData: Record<string, string>;
    })[];
    const expected = principalAccess
      .filter((p) => p.workloads.length > 0)
      .map((p) => ({ name: `llmpt-kafka-${shortName(p.name)}`, user: p.name }));
    expect(logins.map((s) => ({ name: s.metadata.name, user: s.stringData.KAFKA_SASL_USERNAME }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(logins).toHaveLength(expected.length);
    for (const s of logins) expect(Object.keys(s.stringData).sort()).toEqual(LOGIN_VARS.slice(0, 2).sort());
  });

  it('docker-compose.yml maps each service onto its principal’s own variables, all in .env.example', () => {
    const { services } = readCompose();
    expect(composeLoginProblems(services)).toEqual([]);
    const dotenv = readDotenv(path.join(repoRoot, '.env.example'));
    for (const p of principalAccess.filter((x) => x.workloads.length > 0))
      for (const v of LOGIN_VARS) {
        const name = `KAFKA_${shortName(p.name).toUpperCase()}_${v.replace(/^KAFKA_/, '')}`;
        expect(Object.keys(dotenv), name).toContain(name);
      }
  });

  it('the checks have teeth: a shared or a wrong login is found', () => {
    // The scraper given the sink's SASL login and client certificate.
    const borrowed = structuredClone(base);
    const scraper = borrowed.find((m) => m.metadata.name === 'llmpt-scraper');
    if (!scraper) throw new Error('no scraper');
    const [c] = containersOf(scraper) as [Container];
    for (const e of c.env ?? [])
      if (e.valueFrom?.secretKeyRef?.name === 'llmpt-kafka-scraper')
        e.valueFrom.secretKeyRef.name = 'llmpt-kafka-sink';
    const [pod] = podSpecs(scraper);
    for (const v of pod?.volumes as { projected?: { sources: ProjectedSource[] } }[])
      for (const s of v.projected?.sources ?? [])
        if (s.secret?.name === 'llmpt-scraper') s.secret.name = 'llmpt-sink';
    expect(k8sLoginProblems(borrowed, borrowed, true)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('llmpt-scraper/scraper: KAFKA_SASL_USERNAME comes from llmpt-kafka-sink'),
        expect.stringContaining('llmpt-scraper/scraper: logs in as llmpt-sink'),
        expect.stringContaining('llmpt-scraper/scraper: client certificate from llmpt-sink'),
      ]),
    );
    // A template whose user is another principal.
    const wrongUser = structuredClone(base) as (Manifest & { stringData?: Record<string, string> })[];
    const tpl = wrongUser.find((m) => m.metadata.name === 'llmpt-kafka-notifier');
    if (!tpl?.stringData) throw new Error('no notifier login');
    tpl.stringData.KAFKA_SASL_USERNAME = 'llmpt-ops';
    expect(k8sLoginProblems(wrongUser, wrongUser, true)).toEqual([
      'llmpt-notifier/notifier: logs in as llmpt-ops, not llmpt-notifier',
    ]);
    // Compose: the discovery job on the scraper's variables.
    const { services } = readCompose();
    const shared = structuredClone(services);
    const discovery = shared.discovery;
    if (!discovery?.environment) throw new Error('no discovery');
    discovery.environment.KAFKA_SASL_USERNAME = '${KAFKA_SCRAPER_SASL_USERNAME:-}';
    expect(composeLoginProblems(shared)).toEqual([
      'discovery: KAFKA_SASL_USERNAME is ${KAFKA_SCRAPER_SASL_USERNAME:-}, not ${KAFKA_DISCOVERY_SASL_USERNAME:-}',
      '${KAFKA_SCRAPER_SASL_USERNAME:-} is shared by llmpt-scraper, llmpt-discovery',
    ]);
  });
});
