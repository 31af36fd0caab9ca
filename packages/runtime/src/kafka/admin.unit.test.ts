import { describe, expect, it } from 'vitest';
import { compareTopicConfigs, TopicMismatchError } from './admin.ts';
import { topics } from '../core/topics.ts';

const broker = { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'segment.bytes': '1073741824' };

describe('compareTopicConfigs', () => {
  it('finds nothing when the broker holds the spec (extra broker defaults do not matter)', () => {
    expect(compareTopicConfigs(topics.priceChanged, broker, 3, 3)).toEqual([]);
  });
  it('names each differing config and a differing partition count', () => {
    const got = compareTopicConfigs(topics.priceChanged, { ...broker, 'retention.ms': '604800000' }, 1, 3);
    expect(got).toEqual([
      { topic: 'pricing.price-changed.v1', setting: 'retention.ms', expected: '-1', actual: '604800000' },
      { topic: 'pricing.price-changed.v1', setting: 'partitions', expected: '3', actual: '1' },
    ]);
  });
  it('reports a missing config as unset', () => {
    const got = compareTopicConfigs(
      topics.normalizerState,
      { 'cleanup.policy': 'compact', 'segment.ms': '3600000', 'max.message.bytes': '8388608' },
      3,
      undefined,
    );
    expect(got).toEqual([
      { topic: 'pricing.normalizer-state.v1', setting: 'min.compaction.lag.ms', expected: '0', actual: null },
    ]);
    expect(new TopicMismatchError(got).message).toContain(
      'pricing.normalizer-state.v1: min.compaction.lag.ms is (unset), expected 0',
    );
  });
});
