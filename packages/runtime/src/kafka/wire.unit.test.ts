// The wire's rules from schemas/README.md ("Schema Registry framing"): subjects per topic, single-object
// by default, Confluent values refused without a registry (dead-lettered as NO_REGISTRY), and a
// registry that cannot be reached failing the start (registry-client.int.test.ts).
import { describe, expect, it } from 'vitest';
import { confluentHeader, encodeEvent, eventNames } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { ConfigError } from '../core/errors.ts';
import { topicOfEvent } from '../core/topics.ts';
import { schemaRegistryClient } from './registry-client.ts';
import { deadLetterFor, decodeBatch } from './stage-plan.ts';
import { createWire, singleObjectWire, subjectOf } from './wire.ts';

describe('subjects (TopicNameStrategy)', () => {
  it('is <prefix><topic>-value, one distinct subject per event type', () => {
    expect(subjectOf('PriceChanged', 'p.')).toBe('p.pricing.price-changed.v1-value');
    expect(subjectOf('DeadLetter', '')).toBe('pricing.dead-letter.v1-value');
    const subjects = eventNames.map((n) => subjectOf(n, ''));
    expect(new Set(subjects).size).toBe(eventNames.length);
    for (const n of eventNames) expect(subjectOf(n, '')).toBe(`${topicOfEvent[n]}-value`);
  });
});

describe('the default wire', () => {
  it('writes single-object bytes and reads them back', () => {
    const bytes = singleObjectWire.encode('PriceChanged', samples.PriceChanged);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('c301');
    expect(singleObjectWire.decode(bytes).name).toBe('PriceChanged');
  });

  it('dead-letters a Confluent-framed value read without a registry, saying why', () => {
    const single = encodeEvent('PriceChanged', samples.PriceChanged);
    const confluent = Buffer.concat([confluentHeader(12), single.subarray(10)]);
    const decoded = decodeBatch({
      topic: topicOfEvent.PriceChanged,
      partition: 0,
      lastOffset: '1',
      messages: [
        { offset: '0', key: null, value: single },
        { offset: '1', key: null, value: confluent },
      ],
    });
    expect(decoded.messages.map((m) => m.offset)).toEqual(['0']);
    expect(decoded.rejected).toHaveLength(1);
    const letter = deadLetterFor('sink', decoded.rejected[0]!, 0);
    expect(letter.error_code).toBe('NO_REGISTRY');
    expect(letter.error_message).toMatch(/schema id 12.*SCHEMA_REGISTRY_URL/);
    expect(letter.source_offset).toBe('1');
  });
});

describe('EVENT_ENCODING=confluent', () => {
  it('needs SCHEMA_REGISTRY_URL', async () => {
    await expect(createWire({ EVENT_ENCODING: 'confluent', TOPIC_PREFIX: '' }, undefined)).rejects.toThrow(
      ConfigError,
    );
  });

  it('needs both the registry user and password, or neither', () => {
    expect(() =>
      schemaRegistryClient({
        TOPIC_PREFIX: '',
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
        SCHEMA_REGISTRY_USERNAME: 'key',
      }),
    ).toThrow(/SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/);
  });
});
