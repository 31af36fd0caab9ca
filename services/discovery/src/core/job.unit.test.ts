import { describe, expect, it } from 'vitest';
import { exitCodeOf, formatSummary, runIdOf } from './job.ts';

describe('the discovery job', () => {
  it('names a run by its start second and 8 random hex digits', () => {
    expect(runIdOf(Date.UTC(2026, 7, 19, 6, 0, 1, 999), '0123abcd-4567-89ef-0123-456789abcdef')).toBe(
      '2026-08-19T06:00:01Z-0123abcd',
    );
  });

  it('prints one summary line', () => {
    const summary = {
      runId: 'r1',
      models: 3,
      sent: 2,
      rejected: 1,
      blocked: 0,
      catalogSnapshot: true,
      seconds: 1.234,
    };
    expect(formatSummary({ ...summary, providers: 5 })).toBe(
      'discovery run=r1 models=3 sent=2 rejected=1 blocked=0 providers=5 seconds=1.23',
    );
    expect(formatSummary({ ...summary, providers: null })).toContain('providers=n/a');
  });

  it('exits 2 when the source is unreachable, 3 when it is not a models list, 1 otherwise', () => {
    expect(exitCodeOf('SOURCE_UNREACHABLE')).toBe(2);
    expect(exitCodeOf('HTTP_4XX')).toBe(2);
    expect(exitCodeOf('NOT_A_MODELS_LIST')).toBe(3);
    expect(exitCodeOf('BAD_BLOCKLIST')).toBe(1);
  });
});
