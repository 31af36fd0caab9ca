// Oracle: docs/metrics.md §3 (every metric, its type and labels) and §2 (naming), and the Prometheus
// text format that GET /metrics must serve.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@llmpt/core/paths';
import { startHealthServer } from './health.ts';
import { METRICS, metric, metricsText } from './metrics.ts';

/** The rows of the table in docs/metrics.md §3: name → type and labels. */
function documented(): Record<string, { type: string; labels: string[] }> {
  const text = readFileSync(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const section = text.slice(text.indexOf('## 3. Every metric'), text.indexOf('### Scrape outcomes'));
  const out: Record<string, { type: string; labels: string[] }> = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(llmpt_[a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    out[name] = { type: cells[2]!, labels: [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!) };
  }
  return out;
}

describe('metrics (docs/metrics.md)', () => {
  it('the documented table lists exactly the declared metrics, types and labels', () => {
    const declared = Object.fromEntries(
      Object.entries(METRICS).map(([name, d]) => [name, { type: d.type, labels: [...d.labels] }]),
    );
    expect(documented()).toEqual(declared);
  });

  it('follows the naming rules: llmpt_ prefix, counters _total, histograms _seconds', () => {
    for (const [name, d] of Object.entries(METRICS)) {
      expect(name).toMatch(/^llmpt_[a-z_]+$/);
      if (d.type === 'counter') expect(name).toMatch(/_total$/);
      if (d.type === 'histogram') expect(name).toMatch(/_seconds$/);
      if (d.type === 'gauge') expect(name).not.toMatch(/_total$/);
    }
  });

  it('serves the process registry on GET /metrics of the health server, default metrics included', async () => {
    metric('llmpt_dead_letters_total').inc({ stage: 'unit', code: 'BAD_MAGIC' }, 2);
    expect(metric('llmpt_dead_letters_total')).toBe(metric('llmpt_dead_letters_total')); // registered once
    const h = await startHealthServer(
      0,
      { live: () => true, ready: () => true, metrics: metricsText },
      '127.0.0.1',
    );
    try {
      const res = await fetch(`http://127.0.0.1:${h.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(body).toContain('# TYPE llmpt_dead_letters_total counter');
      expect(body).toContain('llmpt_dead_letters_total{stage="unit",code="BAD_MAGIC"} 2\n');
      expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    } finally {
      await h.close();
    }
  });
});
