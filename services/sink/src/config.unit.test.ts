import { describe, expect, it } from 'vitest';
import { loadReplayConfig, loadSinkConfig } from './config.ts';

describe('sink config', () => {
  it("the sink's config requires the variables of the store it is given", () => {
    expect(() =>
      loadSinkConfig({ KAFKA_BROKERS: 'k:1', STORE: 'supabase', SUPABASE_URL: 'http://x' }),
    ).toThrow(/SUPABASE_SERVICE_ROLE_KEY: required when STORE=supabase/);
    expect(() =>
      loadSinkConfig({ KAFKA_BROKERS: 'k:1', DATABASE_URL: 'postgres://u:hunter2@h/db', STORE: 'oracle' }),
    ).toThrow(/STORE/);
    try {
      loadSinkConfig({ KAFKA_BROKERS: 'k:1', DATABASE_URL: 'mysql://u:hunter2@h/db' });
    } catch (e) {
      expect((e as Error).message).toMatch(/DATABASE_URL: .*\(set\)/);
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('the replay command takes an optional REPLAY_INTO, a postgres URL', () => {
    expect(loadReplayConfig({ KAFKA_BROKERS: 'k:1' }).REPLAY_INTO).toBeUndefined();
    expect(loadReplayConfig({ KAFKA_BROKERS: 'k:1', REPLAY_INTO: 'postgres://h/db' }).REPLAY_INTO).toBe(
      'postgres://h/db',
    );
    expect(() => loadReplayConfig({ KAFKA_BROKERS: 'k:1', REPLAY_INTO: 'mysql://h/db' })).toThrow(
      /REPLAY_INTO/,
    );
  });
});
