import { describe, expect, it } from 'vitest';
import { loadNormalizerConfig, loadRebuildChangesConfig } from './config.ts';

describe('normalizer config', () => {
  it('rebuild-changes reads the decision settings the normalizer reads, with the same defaults and checks', () => {
    const env = { KAFKA_BROKERS: 'k:1' };
    const live = loadNormalizerConfig(env);
    const rebuild = loadRebuildChangesConfig(env);
    expect(rebuild.ALERT_THRESHOLD).toBe(live.ALERT_THRESHOLD);
    expect(rebuild.REMOVAL_AFTER_RUNS).toBe(live.REMOVAL_AFTER_RUNS);
    expect(() => loadRebuildChangesConfig({ ...env, ALERT_THRESHOLD: '30%' })).toThrow(/ALERT_THRESHOLD/);
    expect(() => loadRebuildChangesConfig({ ...env, REMOVAL_AFTER_RUNS: '0' })).toThrow(/REMOVAL_AFTER_RUNS/);
  });
});
