// deploy/k8s/monitoring and deploy/prometheus: the metrics Services point at ports the workloads serve
// /metrics on, the ServiceMonitor selects exactly them, and the PrometheusRule carries the groups of
// rules.yml (the one source). promtool's own checks run in rules.int.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRICS } from '@llmpt/runtime';
import { prometheusRuleFile, prometheusRuleText, rulesFile } from '../prometheus/prometheus-rule.ts';
import { baseBuild, k8sDir } from './deployables.ts';
import { containersOf, kustomizeBuild, type Manifest } from './kustomize.ts';

const monitoring = kustomizeBuild(path.join(k8sDir, 'monitoring'));
const base = baseBuild();
const byKind = (kind: string) => monitoring.filter((m) => m.kind === kind);
type Spec = Record<string, unknown>;
const specOf = (m: Manifest) => m.spec as Spec;

describe('deploy/k8s/monitoring', () => {
  it('has a metrics Service for each long-running workload, on the port its container serves /metrics on', () => {
    const services = byKind('Service');
    for (const s of services) expect(() => new Service(s as never).validate(), s.metadata.name).not.toThrow();
    const deployments = base.filter((m) => m.kind === 'Deployment');
    expect(services.map((s) => s.metadata.labels?.['app.kubernetes.io/name']).sort()).toEqual(
      deployments.map((d) => d.metadata.labels?.['app.kubernetes.io/name']).sort(),
    );
    for (const s of services) {
      const spec = specOf(s) as {
        selector: Record<string, string>;
        ports: { name: string; targetPort: string }[];
      };
      const d = deployments.find(
        (x) => x.metadata.labels?.['app.kubernetes.io/name'] === spec.selector['app.kubernetes.io/name'],
      );
      expect(d, s.metadata.name).toBeDefined();
      const [container] = containersOf(d!);
      const ports = (container as unknown as { ports: { name: string; containerPort: number }[] }).ports;
      const env = Object.fromEntries((container!.env ?? []).map((e) => [e.name, e.value]));
      const target = ports.find((p) => p.name === spec.ports[0]?.targetPort);
      expect(target, `${s.metadata.name} → ${spec.ports[0]?.targetPort}`).toBeDefined();
      // The consumers serve /metrics on HEALTH_PORT (default 8080), the API on METRICS_PORT.
      const served =
        d!.metadata.name === 'llmpt-api' ? Number(env.METRICS_PORT) : Number(env.HEALTH_PORT ?? 8080);
      expect(target!.containerPort, s.metadata.name).toBe(served);
      expect(spec.ports[0]?.name).toBe('metrics');
      // Never the public Service's selector-and-port: the API's public Service keeps only http.
    }
    const publicApi = base.find((m) => m.kind === 'Service' && m.metadata.name === 'llmpt-api')!;
    expect((specOf(publicApi).ports as { targetPort: string }[]).map((p) => p.targetPort)).toEqual(['http']);
  });

  it('scrapes them with one ServiceMonitor', () => {
    const [sm, ...more] = byKind('ServiceMonitor');
    expect(more).toEqual([]);
    expect(sm?.apiVersion).toBe('monitoring.coreos.com/v1');
    const spec = specOf(sm!) as {
      selector: { matchLabels: Record<string, string> };
      namespaceSelector: { matchNames: string[] };
      endpoints: { port: string; path: string }[];
    };
    const selected = monitoring.filter(
      (m) =>
        m.kind === 'Service' &&
        Object.entries(spec.selector.matchLabels).every(([k, v]) => m.metadata.labels?.[k] === v),
    );
    expect(selected).toEqual(byKind('Service'));
    expect(spec.namespaceSelector.matchNames).toEqual(['llmpt']);
    expect(spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
  });

  it('carries the rules of deploy/prometheus/rules.yml as a PrometheusRule, unchanged', () => {
    const [rule, ...more] = byKind('PrometheusRule');
    expect(more).toEqual([]);
    expect(rule?.apiVersion).toBe('monitoring.coreos.com/v1');
    const source = parse(readFileSync(rulesFile, 'utf8')) as { groups: unknown[] };
    // Fails after an edit of rules.yml without `npm run gen:prometheus-rule`.
    expect(specOf(rule!).groups, 'run npm run gen:prometheus-rule').toEqual(source.groups);
    expect(parse(readFileSync(prometheusRuleFile, 'utf8'))).toEqual(parse(prometheusRuleText()));
  });

  it('alerts only on metrics the code declares', () => {
    const source = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const used = new Set(
      source.groups.flatMap((g) =>
        g.rules.flatMap((r) => [...r.expr.matchAll(/\bllmpt_[a-z_]+/g)].map((m) => m[0])),
      ),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(Object.keys(METRICS), name).toContain(name);
  });
});
