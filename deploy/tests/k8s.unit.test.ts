// deploy/k8s, built offline (kustomize.ts), validated against the Kubernetes OpenAPI schemas with
// kubernetes-models, and checked against the code: commands, env parity, Secret keys, probes, grace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { kafkaSecurityFromEnv, prefixedTopics } from '@llmpt/runtime';
import {
  baseBuild,
  envNames,
  envProblems,
  envSchemas,
  exampleBuild,
  k8sDir,
  k8sRunnables,
  readCompose,
  SERVICES,
  type Runnable,
} from './deployables.ts';
import { containersOf, kustomizeBuild, podSpecs, type Manifest } from './kustomize.ts';

const models: Record<string, new (o: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
};

function validateK8s(m: Manifest): void {
  const Model = models[`${m.apiVersion}/${m.kind}`];
  if (!Model) throw new Error(`no schema for ${m.apiVersion}/${m.kind}`);
  new Model(m as never).validate();
}

const base = baseBuild();
const example = exampleBuild();
// Asymmetric matchers are typed `any`; held as unknown they pass the no-unsafe-* lint rules.
const aNumber: unknown = expect.any(Number);
const aString: unknown = expect.any(String);
const anObject: unknown = expect.any(Object);
const SHUTDOWN_TIMEOUT_S = 25; // packages/runtime/src/core/shutdown.ts default

describe.each([
  ['base', base],
  ['overlays/example', example],
])('deploy/k8s/%s', (_name, build) => {
  it('every object validates against the Kubernetes OpenAPI schema', () => {
    expect(build.length).toBeGreaterThan(5);
    for (const m of build) expect(() => validateK8s(m), `${m.kind}/${m.metadata.name}`).not.toThrow();
  });

  it('puts everything in the llmpt namespace', () => {
    for (const m of build)
      if (m.kind !== 'Namespace') expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe('llmpt');
  });

  it('runs each stage once, with env its config accepts and every required variable set', () => {
    // The overlay drops the Secret template (it is created out of band with the template's keys).
    const rs = k8sRunnables(build, [...build, ...base.filter((m) => m.kind === 'Secret')]);
    expect(rs.map((r) => r.runnable).sort()).toEqual([...SERVICES, 'migrate', 'topics'].sort());
    for (const r of rs) {
      expect(envProblems(r.runnable, r.env), r.workload).toEqual([]);
      for (const req of envNames(r.runnable).required)
        expect(Object.keys(r.env), `${r.workload}: ${req}`).toContain(req);
    }
  });
});

/** The example's out-of-band Secret: the template's keys; no SASL logins (mutual TLS instead). */
const mtlsSecrets = base.filter((m) => m.kind === 'Secret' && m.metadata.name === 'llmpt-secrets');

describe.each([
  // The base's login templates (kafka-logins.yaml) hold the SASL logins; the example (Strimzi mTLS)
  // drops them and creates its Secret out of band (its patches/config.yaml).
  ['base', base, base],
  ['overlays/example', example, [...example, ...mtlsSecrets]],
])('deploy/k8s/%s Kafka security', (_name, build, lookup) => {
  it('every Kafka client gets settings that hold together (docs/deploying.md rules), files from kafka-tls', () => {
    const rs = k8sRunnables(build, lookup).filter((r) => 'KAFKA_BROKERS' in r.env);
    expect(rs.length).toBeGreaterThanOrEqual(7);
    for (const r of rs) {
      const read = (file: string): string => {
        const mounts = (r.container.volumeMounts ?? []) as { name: string; mountPath: string }[];
        const mount = mounts.find((m) => m.name === 'kafka-tls');
        expect(file.startsWith(`${mount?.mountPath}/`), `${r.workload}: ${file}`).toBe(true);
        return file.endsWith('.key')
          ? '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n'
          : '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
      };
      const vars = envSchemas[r.runnable].parse(r.env) as Parameters<typeof kafkaSecurityFromEnv>[0];
      expect(() => kafkaSecurityFromEnv(vars, read), r.workload).not.toThrow();
    }
  });
});

describe('deploy/k8s/base', () => {
  const rs = k8sRunnables(base);
  const byRunnable = (r: Runnable) => {
    const found = rs.find((x) => x.runnable === r);
    if (!found) throw new Error(`no workload runs ${r}`);
    return found;
  };
  const manifest = (kind: string, name: string) => {
    const m = base.find((x) => x.kind === kind && x.metadata.name === name);
    if (!m) throw new Error(`${kind}/${name} missing`);
    return m as Manifest & {
      spec: Record<string, unknown>;
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
  };

  it('runs the consumers as Deployments, discovery as a CronJob, migrate and topics as Jobs', () => {
    for (const s of ['scraper', 'normalizer', 'sink', 'notifier'] as const)
      expect(byRunnable(s).kind).toBe('Deployment');
    expect(byRunnable('discovery').kind).toBe('CronJob');
    expect(byRunnable('migrate').kind).toBe('Job');
    expect(byRunnable('topics').kind).toBe('Job');
  });

  it('uses the same image repositories and commands as docker-compose.yml', () => {
    const { services } = readCompose();
    for (const r of rs) {
      const c = Object.values(services).find((s) => JSON.stringify(s.command) === JSON.stringify(r.command));
      expect(c, r.workload).toBeDefined();
      expect(r.container.image.split(':')[0], r.workload).toBe(c?.image?.split(':')[0]);
    }
  });

  it('keeps secrets in the Secret: every Secret key is used, every secretKeyRef exists, no literal credentials', () => {
    const secret = manifest('Secret', 'llmpt-secrets');
    const cm = manifest('ConfigMap', 'llmpt-config');
    const refs = rs.flatMap((r) => r.container.env ?? []);
    // The Kafka logins are Secrets of their own (kafka-logins.unit.test.ts).
    const secretKeys = new Set(
      refs.flatMap((e) =>
        e.valueFrom?.secretKeyRef?.name === 'llmpt-secrets' ? [e.valueFrom.secretKeyRef.key] : [],
      ),
    );
    const cmKeys = new Set(
      refs.flatMap((e) => (e.valueFrom?.configMapKeyRef ? [e.valueFrom.configMapKeyRef.key] : [])),
    );
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...secretKeys].sort());
    expect(Object.keys(cm.data ?? {}).sort()).toEqual([...cmKeys].sort());
    for (const e of refs)
      if (/KEY|SECRET|PASSWORD|DATABASE_URL/.test(e.name)) expect(e.value, e.name).toBeUndefined();
    for (const v of Object.values(secret.stringData ?? {})) expect(v).toMatch(/^$|REPLACE/);
  });

  it('probes the health port the services listen on, and outlasts the graceful shutdown', () => {
    for (const s of ['scraper', 'normalizer', 'sink', 'notifier'] as const) {
      const d = manifest('Deployment', `llmpt-${s}`);
      const [pod] = podSpecs(d);
      const [c] = containersOf(d);
      if (!pod || !c) throw new Error(s);
      const port = c.ports?.find((p) => p.name === 'health')?.containerPort;
      const healthPort = (envSchemas[s].parse({ ...byRunnable(s).env }) as { HEALTH_PORT: number })
        .HEALTH_PORT;
      expect(port).toBe(healthPort);
      expect(c).toMatchObject({
        livenessProbe: { httpGet: { path: '/livez', port: 'health' } },
        readinessProbe: { httpGet: { path: '/readyz', port: 'health' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
        resources: {
          requests: { cpu: aString, memory: aString },
          limits: { memory: aString },
        },
      });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(SHUTDOWN_TIMEOUT_S);
      // /tmp is writable (Chromium's profile for the scraper) though the root filesystem is not; the
      // Kafka CA and client certificate are files from optional Secrets (docs/deploying.md).
      expect(pod.volumes).toEqual([
        { name: 'tmp', emptyDir: anObject },
        { name: 'kafka-tls', projected: anObject },
      ]);
    }
  });

  it('runs the API as a Deployment of several replicas behind a Service, probed on its own port', () => {
    const d = manifest('Deployment', 'llmpt-api');
    const [pod] = podSpecs(d);
    const [c] = containersOf(d);
    if (!pod || !c) throw new Error('api');
    expect(byRunnable('api').kind).toBe('Deployment');
    expect(d.spec.replicas as number).toBeGreaterThan(1);
    const port = c.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(port).toBe(
      (envSchemas.api.parse({ ...byRunnable('api').env, DATABASE_URL: 'postgres://x' }) as { PORT: number })
        .PORT,
    );
    expect(c).toMatchObject({
      livenessProbe: { httpGet: { path: '/livez', port: 'http' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
      resources: { requests: { cpu: aString, memory: aString }, limits: { memory: aString } },
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(SHUTDOWN_TIMEOUT_S);
    const svc = manifest('Service', 'llmpt-api');
    expect(svc.spec).toMatchObject({
      selector: { 'app.kubernetes.io/name': 'api' },
      ports: [{ targetPort: 'http' }],
    });
    // The read-only login, never the schema owner's DATABASE_URL.
    expect(c.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(
      'API_DATABASE_URL',
    );
  });

  it('runs the verifier as a daily CronJob, never retried (a retry pays again), off without its own key', () => {
    const cj = manifest('CronJob', 'llmpt-verifier');
    expect(cj.spec).toMatchObject({
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { backoffLimit: 0 } },
    });
    const v = byRunnable('verifier');
    expect(v.kind).toBe('CronJob');
    const key = v.container.env?.find((e) => e.name === 'OPENROUTER_API_KEY');
    // Its own Secret key, optional: setting discovery's key never starts spending.
    expect(key?.valueFrom?.secretKeyRef).toMatchObject({
      key: 'VERIFIER_OPENROUTER_API_KEY',
      optional: true,
    });
    expect(manifest('Secret', 'llmpt-secrets').stringData?.VERIFIER_OPENROUTER_API_KEY).toBe('');
  });

  it('runs one normalizer at a time: its transactional id would fence a second instance', () => {
    const d = manifest('Deployment', 'llmpt-normalizer');
    expect(d.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(byRunnable('normalizer').env.TRANSACTIONAL_ID).toBe('pricing-normalizer');
  });

  it('schedules discovery daily in UTC, one run at a time, with bounded retries and cleanup', () => {
    const cj = manifest('CronJob', 'llmpt-discovery');
    expect(cj.spec).toMatchObject({
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: aNumber,
      jobTemplate: {
        spec: { backoffLimit: aNumber, ttlSecondsAfterFinished: aNumber },
      },
    });
    const [min, hour, dom, mon, dow] = String(cj.spec.schedule).split(' ');
    expect([dom, mon, dow]).toEqual(['*', '*', '*']);
    expect(Number(min)).toBeGreaterThanOrEqual(0);
    expect(Number(hour)).toBeLessThan(24);
    const [pod] = podSpecs(cj);
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  it('Jobs run to completion once (restartPolicy Never, bounded backoff, cleaned up)', () => {
    for (const name of ['llmpt-migrate', 'llmpt-topics']) {
      const j = manifest('Job', name);
      expect(j.spec).toMatchObject({
        backoffLimit: aNumber,
        ttlSecondsAfterFinished: aNumber,
      });
      expect(podSpecs(j)[0]).toMatchObject({
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true },
      });
    }
  });
});

describe('deploy/k8s/overlays/example', () => {
  it('points at the registry, patches config and drops the Secret template', () => {
    const images = example.flatMap(containersOf).map((c) => c.image);
    for (const i of images) expect(i).toMatch(/^registry\.example\.com\/llmpt(-scraper)?:0\.1\.0$/);
    expect(example.some((m) => m.kind === 'Secret')).toBe(false);
    const cm = example.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> };
    expect(cm.data.KAFKA_BROKERS).toBe('my-cluster-kafka-bootstrap.kafka.svc:9093');
    expect(cm.data.LOG_LEVEL).toBe('info'); // untouched keys survive the merge
    const scraper = example.find((m) => m.metadata.name === 'llmpt-scraper') as Manifest & {
      spec: { replicas: number };
    };
    expect(scraper.spec.replicas).toBe(2);
    const [c] = containersOf(scraper);
    expect(c?.resources).toEqual({ requests: { cpu: '500m', memory: '768Mi' }, limits: { memory: '2Gi' } });
    expect(c?.livenessProbe).toBeDefined(); // the named-list merge kept the rest of the container
  });
});

describe('deploy/k8s/strimzi-topics', () => {
  // No npm package ships Strimzi's KafkaTopic CRD, so this is a structural check of the fields the
  // v1beta2 CRD defines (spec.partitions/replicas integers >= 1, spec.config a map, the cluster label).
  const topics = kustomizeBuild(path.join(k8sDir, 'strimzi-topics'));

  it('declares every topic of topics.ts with the same configs', () => {
    const want = prefixedTopics('').map((t) => ({ name: t.name, configs: t.configs }));
    const got = topics.map((m) => {
      const spec = (m as unknown as { spec: { topicName: string; config: Record<string, string> } }).spec;
      return { name: spec.topicName, configs: spec.config };
    });
    expect(got.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      want.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('has the KafkaTopic shape the Topic Operator expects', () => {
    for (const m of topics) {
      expect(m.apiVersion).toBe('kafka.strimzi.io/v1beta2');
      expect(m.kind).toBe('KafkaTopic');
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(m.metadata.labels?.['strimzi.io/cluster']).toEqual(aString);
      const spec = (m as unknown as { spec: Record<string, unknown> }).spec;
      expect(Object.keys(spec).sort()).toEqual(['config', 'partitions', 'replicas', 'topicName']);
      expect(Number.isInteger(spec.partitions) && (spec.partitions as number) >= 1).toBe(true);
      expect(Number.isInteger(spec.replicas) && (spec.replicas as number) >= 1).toBe(true);
      for (const v of Object.values(spec.config as object)) expect(typeof v).toBe('string');
    }
  });
});

describe('the checks have teeth', () => {
  it('the OpenAPI validation rejects malformed objects', () => {
    const d = base.find((m) => m.kind === 'Deployment') as Manifest;
    const broken = structuredClone(d) as Manifest & { spec: Record<string, unknown> };
    broken.spec.replicas = 'two';
    expect(() => validateK8s(broken)).toThrow();
    const noContainers = structuredClone(d) as Manifest & {
      spec: { template: { spec: Record<string, unknown> } };
    };
    delete noContainers.spec.template.spec.containers;
    expect(() => validateK8s(noContainers)).toThrow();
    const cj = structuredClone(base.find((m) => m.kind === 'CronJob')) as Manifest & {
      spec: Record<string, unknown>;
    };
    cj.spec.startingDeadlineSeconds = '1h';
    expect(() => validateK8s(cj)).toThrow();
  });

  it('env parity rejects a variable no service reads and a missing required one', () => {
    expect(
      envProblems('sink', {
        KAFKA_BROKERS: 'k:9092',
        STORE: 'supabase',
        SUPABASE_URL: 'https://x.supabase.co',
      }),
    ).toEqual([expect.stringContaining('SUPABASE_SERVICE_ROLE_KEY')]);
    expect(envProblems('normalizer', { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://x' })).toEqual([
      'DATABASE_URL is not read by normalizer',
    ]);
    expect(envNames('discovery').required).toEqual(['KAFKA_BROKERS']);
  });

  it('the offline kustomize build refuses fields it does not implement', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kust-'));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'resources: []\nreplicas:\n  - name: x\n    count: 2\n',
    );
    expect(() => kustomizeBuild(dir)).toThrow(/unsupported fields.*replicas/);
  });
});
