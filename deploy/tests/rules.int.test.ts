// The alerting rules through Prometheus's own tool: `promtool check rules` (syntax, PromQL, lint) on
// rules.yml and on the PrometheusRule's groups, and `promtool test rules` on rules.test.yml, where each
// alert fires on a synthetic series and stays silent on a healthy one. scripts/setup.sh extracts
// promtool from Debian's prometheus package into .cache/promtool when it is not on the PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '@llmpt/testkit';
import { prometheusRuleFile, rulesFile } from '../prometheus/prometheus-rule.ts';

function promtool(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const cached = path.join(repoRoot, '.cache', 'promtool', 'usr', 'bin', 'promtool');
  if (existsSync(cached)) return cached;
  throw new Error('promtool not found: run bash scripts/setup.sh (it extracts it into .cache/promtool)');
}

function run(...args: string[]) {
  const r = spawnSync(promtool(), args, { cwd: path.dirname(rulesFile), encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('deploy/prometheus alerting rules (promtool)', () => {
  it('rules.yml passes promtool check rules', () => {
    const r = run('check', 'rules', 'rules.yml');
    expect(r, r.out).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/SUCCESS: 8 rules found/);
  });

  it("the PrometheusRule's groups pass promtool check rules too", () => {
    const rule = parse(readFileSync(prometheusRuleFile, 'utf8')) as { spec: { groups: unknown[] } };
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'llmpt-rules-')), 'k8s-rules.yml');
    writeFileSync(file, stringify({ groups: rule.spec.groups }));
    const r = run('check', 'rules', file);
    expect(r, r.out).toMatchObject({ code: 0 });
  });

  it('every alert fires on its synthetic series and stays silent on a healthy one (promtool test rules)', () => {
    const tests = parse(readFileSync(path.join(path.dirname(rulesFile), 'rules.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const alerts = (
      parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert: string }[] }[] }
    ).groups.flatMap((g) => g.rules.map((r) => r.alert));
    // Each alert of rules.yml has a case where it fires and one where it must not.
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const a of alerts) {
      expect(
        cases.some((c) => c.alertname === a && (c.exp_alerts?.length ?? 0) > 0),
        `${a} fires`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === a && (c.exp_alerts?.length ?? 0) === 0),
        `${a} silent`,
      ).toBe(true);
    }
    const r = run('test', 'rules', 'rules.test.yml');
    expect(r, r.out).toMatchObject({ code: 0 });
    expect(r.out).toContain('SUCCESS');
  });

  it('promtool test rules fails when an alert does not fire as expected (the check has teeth)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'llmpt-rules-'));
    // The same rules with the discovery threshold moved from 26 h to 28 h: the 27 h case must fail.
    writeFileSync(
      path.join(dir, 'rules.yml'),
      readFileSync(rulesFile, 'utf8').replace('> 26 * 3600', '> 28 * 3600'),
    );
    const all = parse(readFileSync(path.join(path.dirname(rulesFile), 'rules.test.yml'), 'utf8')) as {
      tests: { name: string }[];
    };
    const only = all.tests.filter((t) => t.name === 'no discovery run in 26 hours');
    expect(only).toHaveLength(1);
    writeFileSync(path.join(dir, 'rules.test.yml'), stringify({ ...all, tests: only }));
    const r = spawnSync(promtool(), ['test', 'rules', 'rules.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('LlmptNoDiscoveryRun');
  });
});
