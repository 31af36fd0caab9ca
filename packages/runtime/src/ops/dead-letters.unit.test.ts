import { describe, expect, it } from 'vitest';
import { encodeEvent, type DeadLetter, type NormalizedPrice } from '@llmpt/schemas';
import { normalizedPrice } from '@llmpt/schemas/samples';
import {
  deadLetterJson,
  formatDeadLetter,
  formatSummary,
  matchesFilter,
  planRedrive,
  REDRIVEN_FROM_HEADER,
  redriveMessage,
  redrivenIdsOf,
  selectDeadLetters,
  summarize,
  type StoredDeadLetter,
} from './dead-letters.ts';
import { decodeStageValue, eventTypeOfTopic } from '../kafka/stage.ts';

const P = 't.x.';
const NP_TOPIC = `${P}pricing.normalized-price.v1`;
const MD_TOPIC = `${P}pricing.model-discovered.v1`;
const T0 = Date.UTC(2026, 7, 1, 6, 0, 0);

/** openai/gpt-4o's routed price on T0 (the shared builder, with every field these tests rely on set). */
function price(o: Partial<NormalizedPrice> = {}): NormalizedPrice {
  return normalizedPrice({
    event_id: 'np-1',
    caused_by: 'raw-1',
    occurred_at: T0,
    observed_at: T0,
    price_key: 'openai/gpt-4o||openrouter_api',
    model_id: 'openai/gpt-4o',
    provider: null,
    source_type: 'openrouter_api',
    source_url: 'https://openrouter.ai/api/v1/models',
    snapshot_date: '2026-08-01',
    prompt: '2.50000000',
    completion: '10.00000000',
    input_cache_read: null,
    input_cache_write: null,
    image: null,
    ...o,
  }).event;
}

const payload = encodeEvent('NormalizedPrice', price());

function letter(o: Partial<DeadLetter> = {}): DeadLetter {
  return {
    event_id: 'dl-1',
    run_id: 'run-1',
    caused_by: 'np-1',
    occurred_at: T0,
    stage: 'sink',
    source_topic: NP_TOPIC,
    source_partition: 2,
    source_offset: '17',
    source_url: null,
    key: Buffer.from('openai/gpt-4o||openrouter_api'),
    payload,
    error_code: 'SINK_CONSTRAINT_VIOLATION',
    error_message: 'postgres store: write batch failed: new row violates check constraint "no_gpt4o"',
    retriable: false,
    ...o,
  };
}

const stored = (l: DeadLetter, partition = 0, offset = '0'): StoredDeadLetter => ({
  partition,
  offset,
  letter: l,
});

const discoveryLetter = letter({
  event_id: 'dl-disc',
  stage: 'discovery',
  source_topic: null,
  source_partition: null,
  source_offset: null,
  source_url: 'https://openrouter.ai/api/v1/models',
  key: null,
  payload: Buffer.from('{"pricing":"free"}'),
  error_code: 'INVALID_ENTRY',
  error_message: 'id: Required',
  caused_by: null,
});

describe('selecting dead letters', () => {
  it('matches every given filter, topics with or without the prefix, ids by prefix', () => {
    const l = letter();
    expect(matchesFilter(l, {})).toBe(true);
    expect(matchesFilter(l, { stage: 'sink', code: 'SINK_CONSTRAINT_VIOLATION', run: 'run-1' })).toBe(true);
    expect(matchesFilter(l, { stage: 'normalizer' })).toBe(false);
    expect(matchesFilter(l, { code: 'INVALID_EVENT' })).toBe(false);
    expect(matchesFilter(l, { run: 'run-2' })).toBe(false);
    expect(matchesFilter(l, { topic: NP_TOPIC })).toBe(true);
    expect(matchesFilter(l, { topic: 'pricing.normalized-price.v1' }, P)).toBe(true);
    expect(matchesFilter(l, { topic: 'pricing.normalized-price.v1' })).toBe(false);
    expect(matchesFilter(l, { topic: 'pricing.model-discovered.v1' }, P)).toBe(false);
    expect(matchesFilter(l, { id: 'dl-' })).toBe(true);
    expect(matchesFilter(l, { id: 'dl-2' })).toBe(false);
    expect(matchesFilter(discoveryLetter, { topic: NP_TOPIC })).toBe(false);
  });

  it('returns them in topic order (partition, then numeric offset)', () => {
    const all = [
      stored(letter({ event_id: 'c' }), 1, '10'),
      stored(letter({ event_id: 'b' }), 0, '9'),
      stored(letter({ event_id: 'a' }), 0, '10'),
      stored(letter({ event_id: 'x', stage: 'scraper' }), 0, '1'),
    ];
    expect(selectDeadLetters(all, { stage: 'sink' }).map((d) => d.letter.event_id)).toEqual(['b', 'a', 'c']);
  });
});

describe('showing dead letters', () => {
  it('one line per letter: id, stage, code, source coordinates, run, message on one line', () => {
    expect(formatDeadLetter(stored(letter({ error_message: 'line one\n  line two' })))).toBe(
      `dl-1  sink  SINK_CONSTRAINT_VIOLATION  ${NP_TOPIC}/2@17  run=run-1  line one line two`,
    );
    expect(formatDeadLetter(stored(discoveryLetter))).toBe(
      'dl-disc  discovery  INVALID_ENTRY  https://openrouter.ai/api/v1/models  run=run-1  id: Required',
    );
  });

  it('summarizes by stage and code', () => {
    const rows = summarize([
      stored(letter()),
      stored(letter({ event_id: 'dl-2' })),
      stored(discoveryLetter),
      stored(letter({ stage: 'normalizer', error_code: 'BAD_MAGIC' })),
    ]);
    expect(rows).toEqual([
      { stage: 'discovery', code: 'INVALID_ENTRY', count: 1 },
      { stage: 'normalizer', code: 'BAD_MAGIC', count: 1 },
      { stage: 'sink', code: 'SINK_CONSTRAINT_VIOLATION', count: 2 },
    ]);
    expect(formatSummary(rows, 4, 9)[0]).toBe('4 dead letters selected of 9');
    expect(formatSummary(rows, 4, 9)[3]).toMatch(/^ {2}sink\s+SINK_CONSTRAINT_VIOLATION\s+2$/);
  });

  it('as JSON: key as text, payload as base64 that gives the bytes back', () => {
    const j = deadLetterJson(stored(letter(), 1, '5'));
    expect(j).toMatchObject({
      event_id: 'dl-1',
      key: 'openai/gpt-4o||openrouter_api',
      payload_bytes: payload.length,
      dead_letter_partition: 1,
      dead_letter_offset: '5',
    });
    expect(Buffer.from(j.payload_base64 as string, 'base64').equals(payload)).toBe(true);
    expect(j).not.toHaveProperty('payload');
  });
});

describe('planning a re-drive', () => {
  const allowedTopics = new Set([NP_TOPIC, MD_TOPIC]);
  const none = new Set<string>();

  it('re-publishes the original key and bytes to the source topic and partition, with the header', () => {
    const plan = planRedrive([stored(letter())], { allowedTopics, alreadyRedriven: none });
    expect(plan.skipped).toEqual([]);
    expect(plan.publish).toHaveLength(1);
    const a = plan.publish[0]!;
    expect(a).toMatchObject({
      topic: NP_TOPIC,
      partition: 2,
      eventName: 'NormalizedPrice',
      deadLetterIds: ['dl-1'],
      source: `${NP_TOPIC}/2@17`,
    });
    const m = redriveMessage(a);
    expect(m.key).toEqual(Buffer.from('openai/gpt-4o||openrouter_api'));
    expect(m.value).toBe(payload);
    expect(m.partition).toBe(2);
    expect(m.headers).toEqual({ 'event-type': 'NormalizedPrice', [REDRIVEN_FROM_HEADER]: 'dl-1' });
    expect(redrivenIdsOf(m as { headers: Record<string, Buffer | string> })).toEqual(['dl-1']);
  });

  it('skips input entries without a source topic: re-run discovery after the fix', () => {
    const plan = planRedrive([stored(discoveryLetter)], { allowedTopics, alreadyRedriven: none });
    expect(plan.publish).toEqual([]);
    expect(plan.skipped.map((s) => [s.id, s.reason])).toEqual([
      [
        'dl-disc',
        'no source topic: the payload is a raw discovery input entry, not an event; re-run discovery after the fix',
      ],
    ]);
  });

  it('skips payloads that would only dead-letter again, and topics outside the pipeline', () => {
    const plan = planRedrive(
      [
        stored(letter({ event_id: 'bytes', payload: Buffer.from([0x7f, 1, 2, 3]) })),
        stored(
          letter({
            event_id: 'bad-money',
            payload: encodeEvent('NormalizedPrice', price({ prompt: 'abc' })),
          }),
        ),
        stored(letter({ event_id: 'wrong-topic', source_topic: MD_TOPIC })),
        stored(letter({ event_id: 'elsewhere', source_topic: 'other.pricing.normalized-price.v1' })),
      ],
      { allowedTopics, alreadyRedriven: none },
    );
    expect(plan.publish).toEqual([]);
    const reasons = Object.fromEntries(plan.skipped.map((s) => [s.id, s.reason]));
    expect(reasons['bytes']).toMatch(/^payload still does not decode or validate \(BAD_MAGIC: /);
    expect(reasons['bad-money']).toMatch(
      /\(INVALID_EVENT: .*prompt: "abc" is not a decimal string of scale 8/,
    );
    expect(reasons['wrong-topic']).toMatch(/\(WRONG_TYPE: expected a ModelDiscovered event/);
    expect(reasons['elsewhere']).toMatch(/is not an event topic of this pipeline/);
  });

  it('one copy per source message, whichever stages failed on it; in source order', () => {
    const plan = planRedrive(
      [
        stored(letter({ event_id: 'late', source_offset: '100' })),
        stored(letter({ event_id: 'early', source_offset: '9' })),
        stored(letter({ event_id: 'early-again', source_offset: '9', stage: 'other' })),
        stored(letter({ event_id: 'p0', source_partition: 0, source_offset: '50' })),
      ],
      { allowedTopics, alreadyRedriven: none },
    );
    expect(plan.publish.map((a) => [a.source, a.deadLetterIds])).toEqual([
      [`${NP_TOPIC}/0@50`, ['p0']],
      [`${NP_TOPIC}/2@9`, ['early', 'early-again']],
      [`${NP_TOPIC}/2@100`, ['late']],
    ]);
  });

  it('does not re-drive what was already re-driven, unless asked again', () => {
    const letters = [stored(letter())];
    const once = planRedrive(letters, { allowedTopics, alreadyRedriven: new Set(['dl-1']) });
    expect(once.publish).toEqual([]);
    expect(once.skipped[0]?.reason).toBe('already re-driven (--again publishes it once more)');
    const again = planRedrive(letters, { allowedTopics, alreadyRedriven: new Set(['dl-1']), again: true });
    expect(again.publish).toHaveLength(1);
  });

  it('reads the header of a re-driven copy, several ids comma-separated', () => {
    expect(redrivenIdsOf({ headers: { [REDRIVEN_FROM_HEADER]: Buffer.from('a,b') } })).toEqual(['a', 'b']);
    expect(redrivenIdsOf({ headers: {} })).toEqual([]);
    expect(redrivenIdsOf({ headers: undefined })).toEqual([]);
  });
});

describe('what a stage accepts from a topic', () => {
  it('knows the event type of a prefixed topic', () => {
    expect(eventTypeOfTopic(NP_TOPIC)).toBe('NormalizedPrice');
    expect(eventTypeOfTopic('pricing.model-discovered.v1')).toBe('ModelDiscovered');
    expect(eventTypeOfTopic(`${P}pricing.catalog-snapshot.v1`)).toBe('CatalogSnapshot');
    expect(eventTypeOfTopic('pricing.normalizer-state.v1')).toBeUndefined();
  });

  it('decodes a sound event, refuses the wrong type and broken invariants', () => {
    expect(decodeStageValue(NP_TOPIC, payload).event).toMatchObject({ prompt: '2.50000000' });
    expect(() => decodeStageValue(MD_TOPIC, payload)).toThrow(
      expect.objectContaining({ code: 'WRONG_TYPE' }) as Error,
    );
    expect(() =>
      decodeStageValue(NP_TOPIC, encodeEvent('NormalizedPrice', price({ completion: '10.5' }))),
    ).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }) as Error);
  });
});
