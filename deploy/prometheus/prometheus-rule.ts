// The PrometheusRule of deploy/k8s/monitoring, made from deploy/prometheus/rules.yml (the one source of
// the alerting rules). `npm run gen:prometheus-rule` writes it; deploy/tests/monitoring.unit.test.ts
// fails when the file on disk differs from what this makes.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
export const rulesFile = path.join(here, 'rules.yml');
export const prometheusRuleFile = path.join(here, '..', 'k8s', 'monitoring', 'prometheusrule.yaml');

const HEADER = `# Generated from deploy/prometheus/rules.yml by \`npm run gen:prometheus-rule\`: edit the rules there.
# The Prometheus Operator picks this up when its ruleSelector matches these labels (docs/metrics.md).
`;

/** The PrometheusRule manifest (text) carrying the groups of rules.yml. */
export function prometheusRuleText(rulesYaml = readFileSync(rulesFile, 'utf8')): string {
  const { groups } = parse(rulesYaml) as { groups: unknown[] };
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'llmpt', labels: { 'app.kubernetes.io/name': 'llmpt-alerts' } },
    spec: { groups },
  };
  return HEADER + stringify(manifest, { lineWidth: 0 });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(prometheusRuleFile, prometheusRuleText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), prometheusRuleFile)}\n`);
}
