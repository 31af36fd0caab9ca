import { describe, expect, it } from 'vitest';
import { parseMetrics, sumBy, sumOf } from './metrics.ts';

// Oracle: the Prometheus text exposition format (prometheus.io/docs/instrumenting/exposition_formats).
const TEXT = `# HELP llmpt_x_total Something.
# TYPE llmpt_x_total counter
llmpt_x_total{stage="sink",topic="a"} 3
llmpt_x_total{stage="sink",topic="b"} 4
llmpt_x_total{stage="scraper",topic="a",reason="say \\"hi\\""} 5
process_start_time_seconds 1.7e9
llmpt_h_bucket{le="+Inf"} 2 1700000000000

`;

describe('parseMetrics', () => {
  it('reads names, labels (escapes included) and values', () => {
    const s = parseMetrics(TEXT);
    expect(s).toHaveLength(5);
    expect(s[2]).toEqual({
      name: 'llmpt_x_total',
      labels: { stage: 'scraper', topic: 'a', reason: 'say "hi"' },
      value: 5,
    });
    expect(s[3]?.value).toBe(1.7e9);
    expect(s[4]).toEqual({ name: 'llmpt_h_bucket', labels: { le: '+Inf' }, value: 2 });
  });
  it('sums by labels', () => {
    const s = parseMetrics(TEXT);
    expect(sumOf(s, 'llmpt_x_total', { stage: 'sink' })).toBe(7);
    expect(sumOf(s, 'llmpt_nothing')).toBe(0);
    expect(sumBy(s, 'llmpt_x_total', ['topic'])).toEqual({ a: 8, b: 4 });
  });
  it('refuses a line that is not a sample', () => {
    expect(() => parseMetrics('what is this')).toThrow(/not a Prometheus sample/);
  });
});
