// services/notifier/README.md §2 (the retraction's payload) and §11 (retractions), rule by rule. The
// expectations are worked out from the README by hand; a version's digest is checked against the rule
// of docs/price-model.md §4.3 (sha256 of the digest fields' JSON) computed here with node:crypto.
import { createHash } from 'node:crypto';
import { CHANGE_DIGEST_FIELDS, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { SubscriptionFilter } from './filters.ts';
import { contentOf, retractionPayload, webhookPayload } from './payload.ts';
import {
  deliveryKey,
  gate,
  retractionDeliveries,
  type StoredFacts,
  type StoredRetraction,
  type VersionInForce,
} from './retractions.ts';
import { signedHeaders } from './sign.ts';

const HOUR = 3_600_000;
const SETTLE = 60_000;
const NOW = Date.parse('2026-08-20T12:00:00Z');

// Change X, learned live, and a second version of it: the same id, another previous_observed_at
// (a late observation at the same price placed before its cause, docs/price-model.md §4.3).
const x1: PriceChanged = { ...samples.PriceChanged, event_id: 'evt-x', backfilled: false };
const x2: PriceChanged = { ...x1, previous_observed_at: x1.previous_observed_at! + HOUR, backfilled: true };

/** §4.3's digest, computed from the rule (not with the code under test). */
const digestOf = (e: PriceChanged) =>
  createHash('sha256')
    .update(
      JSON.stringify(
        CHANGE_DIGEST_FIELDS.map((f) =>
          f === 'changes'
            ? e.changes.map((c) => [c.dimension, c.previous, c.current, c.relative_change, c.tier, c.change])
            : e[f],
        ),
      ),
    )
    .digest('hex');

const record = (over: Partial<PriceChangeRetracted> = {}): PriceChangeRetracted => ({
  ...samples.PriceChangeRetracted,
  retracted_event_id: x1.event_id,
  retracted_digest: digestOf(x1),
  retracted: true,
  ...over,
});
const stored = (r: PriceChangeRetracted, storedAt = NOW - 2 * SETTLE): StoredRetraction => ({
  event_id: r.event_id,
  retracted_event_id: r.retracted_event_id,
  retracted_digest: r.retracted_digest,
  retracted: r.retracted,
  revision: r.revision,
  stored_at: storedAt,
});
const inForce = (e: PriceChanged): VersionInForce => ({ eventId: e.event_id, digest: digestOf(e), event: e });

const live: SubscriptionFilter = {
  modelIds: [],
  providers: [],
  alertsOnly: false,
  includeBackfilled: false,
  disabledAt: null,
};
const history: SubscriptionFilter = { ...live, includeBackfilled: true };

const facts = (over: Partial<StoredFacts> = {}): StoredFacts => ({
  records: [],
  inForce: [],
  attempts: new Map(),
  ...over,
});
const changeDelivery = (e: PriceChanged, subscriptionId = 'a') => {
  const payload = webhookPayload(e);
  return { subscriptionId, payload, content: contentOf(payload) };
};
const retractionDelivery = (r: PriceChangeRetracted, subscriptionId = 'a') => {
  const payload = retractionPayload(r);
  return { subscriptionId, payload, content: contentOf(payload) };
};
const sent = (e: PriceChanged) => ({ action: 'send', payload: webhookPayload(e) });

describe('§2: the retraction payload', () => {
  const r = record();

  it('{type: price.change.retracted, timestamp: occurred_at, data: the record in schema order}', () => {
    const body = JSON.parse(retractionPayload(r)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
    expect(body.type).toBe('price.change.retracted');
    expect(body.timestamp).toBe(new Date(r.occurred_at).toISOString());
    expect(Object.keys(body.data as object)).toEqual([
      'event_id',
      'price_key',
      'retracted_event_id',
      'retracted_digest',
      'retracted',
      'revision',
      'caused_by',
      'occurred_at',
    ]);
    expect(body.data).toEqual({ ...r });
    expect(retractionPayload({ ...r })).toBe(retractionPayload(r));
  });

  it('signed like a change: webhook-id is the record’s own id, verified by standardwebhooks', () => {
    const secret = `whsec_${Buffer.from('a test key of 32 bytes, exactly!').toString('base64')}`;
    const body = retractionPayload(r);
    const h = signedHeaders(secret, r.event_id, body, Date.now()); // receivers reject old timestamps
    expect(h['webhook-id']).toBe(r.event_id);
    expect(h['webhook-id']).not.toBe(r.retracted_event_id);
    expect(new Webhook(secret).verify(body, h)).toEqual(JSON.parse(body));
  });

  it('a stored payload reads back as the change with its version’s digest, or the record', () => {
    expect(contentOf(webhookPayload(x1))).toEqual({ kind: 'change', event: x1, digest: digestOf(x1) });
    expect(digestOf(x2)).not.toBe(digestOf(x1));
    expect(contentOf(retractionPayload(r))).toEqual({ kind: 'retraction', record: r });
    for (const other of ['{}', 'not json', '[]', '{"type":"price.changed"}', '{"type":"x","data":{}}'])
      expect(contentOf(other)).toEqual({ kind: 'other' });
  });
});

describe('§11 step 1: a record is queued to the subscriptions holding the change it names', () => {
  it('every subscription with a delivery of that event id, and no other; each once', () => {
    const r = record();
    const holdings = [
      { subscriptionId: 'a', eventId: x1.event_id },
      { subscriptionId: 'b', eventId: 'evt-other' },
      { subscriptionId: 'c', eventId: x1.event_id },
      { subscriptionId: 'a', eventId: x1.event_id },
    ];
    expect(retractionDeliveries([r], holdings)).toEqual([
      { subscriptionId: 'a', eventId: r.event_id, payload: retractionPayload(r) },
      { subscriptionId: 'c', eventId: r.event_id, payload: retractionPayload(r) },
    ]);
    expect(retractionDeliveries([r], [{ subscriptionId: 'b', eventId: 'evt-other' }])).toEqual([]);
  });
});

describe('§11 step 2: a change is not sent while its version is retracted', () => {
  it('no stored record: in force, sent as queued (a change the sink has not stored yet included)', () => {
    expect(gate(changeDelivery(x1), live, facts(), NOW, SETTLE)).toEqual(sent(x1));
  });

  it('its version retracted and nothing else in force: not attempted, looked at again later', () => {
    const f = facts({ records: [stored(record())] });
    expect(gate(changeDelivery(x1), live, f, NOW, SETTLE)).toEqual({ action: 'wait' });
  });

  it('the highest revision holds: retracted then reinstated is sent; at the same revision retracted wins', () => {
    const out = record({ event_id: 'r1', revision: 3 });
    const back = record({ event_id: 'r2', revision: 4, retracted: false });
    expect(
      gate(changeDelivery(x1), live, facts({ records: [stored(back), stored(out)] }), NOW, SETTLE),
    ).toEqual(sent(x1));
    const tie = record({ event_id: 'r3', revision: 4, retracted: true });
    expect(
      gate(changeDelivery(x1), live, facts({ records: [stored(back), stored(tie)] }), NOW, SETTLE),
    ).toEqual({ action: 'wait' });
  });

  it('a record about another version of the same id does not touch this one', () => {
    const f = facts({ records: [stored(record({ retracted_digest: digestOf(x2) }))] });
    expect(gate(changeDelivery(x1), live, f, NOW, SETTLE)).toEqual(sent(x1));
  });

  it('another version of the id in force that passes the filters is sent instead', () => {
    const f = facts({ records: [stored(record())], inForce: [inForce(x2)] });
    // x2 is backfilled (decided late): sent to a subscription that takes backfilled changes...
    expect(gate(changeDelivery(x1), history, f, NOW, SETTLE)).toEqual(sent(x2));
    // ...and not to a live one (§1 rule 4): that one waits.
    expect(gate(changeDelivery(x1), live, f, NOW, SETTLE)).toEqual({ action: 'wait' });
    const liveX2 = { ...x2, backfilled: false };
    expect(gate(changeDelivery(x1), live, { ...f, inForce: [inForce(liveX2)] }, NOW, SETTLE)).toEqual(
      sent(liveX2),
    );
  });

  it('a version in force without occurred_at (before 0013) cannot be rebuilt: wait', () => {
    const f = facts({ records: [stored(record())], inForce: [{ ...inForce(x2), event: null }] });
    expect(gate(changeDelivery(x1), history, f, NOW, SETTLE)).toEqual({ action: 'wait' });
  });

  it('a payload that is neither a change nor a record is sent as it is', () => {
    expect(
      gate({ subscriptionId: 'a', payload: '{}', content: contentOf('{}') }, live, facts(), NOW, SETTLE),
    ).toEqual({ action: 'send', payload: '{}' });
  });
});

describe('§11 step 3: a retraction goes to the subscriptions that received the change, when true', () => {
  const r = record();
  const received = new Map([[deliveryKey('a', x1.event_id), 1]]);

  it('sent to a subscription whose delivery of the change was attempted, once no version is in force', () => {
    const f = facts({ records: [stored(r)], attempts: received });
    expect(gate(retractionDelivery(r, 'a'), live, f, NOW, SETTLE)).toEqual({
      action: 'send',
      payload: retractionPayload(r),
    });
  });

  it('not to one whose delivery was never attempted, nor to one without a delivery: closed', () => {
    const f = facts({
      records: [stored(r)],
      attempts: new Map([...received, [deliveryKey('b', x1.event_id), 0]]),
    });
    for (const sub of ['b', 'c'])
      expect(gate(retractionDelivery(r, sub), live, f, NOW, SETTLE)).toEqual({
        action: 'close',
        reason: `not sent: change ${x1.event_id} was never sent to this subscription`,
      });
  });

  it('waits until the sink has stored the record for the settle time (WEBHOOK_LEASE_MS)', () => {
    expect(gate(retractionDelivery(r), live, facts({ attempts: received }), NOW, SETTLE)).toEqual({
      action: 'wait',
    });
    const justStored = facts({ records: [stored(r, NOW - SETTLE + 1)], attempts: received });
    expect(gate(retractionDelivery(r), live, justStored, NOW, SETTLE)).toEqual({ action: 'wait' });
    const settled = facts({ records: [stored(r, NOW - SETTLE)], attempts: received });
    expect(gate(retractionDelivery(r), live, settled, NOW, SETTLE).action).toBe('send');
  });

  it('retracted while another version of the id is in force: closed, the receiver keeps the change', () => {
    const f = facts({ records: [stored(r)], inForce: [inForce(x2)], attempts: received });
    expect(gate(retractionDelivery(r), live, f, NOW, SETTLE)).toEqual({
      action: 'close',
      reason: `not sent: change ${x1.event_id} is in force`,
    });
  });

  it('in force again: sent while the change stands, closed when a later record took it back', () => {
    const back = record({ event_id: 'r-back', revision: r.revision + 1, retracted: false });
    const standing = facts({
      records: [stored(r), stored(back)],
      inForce: [inForce(x1)],
      attempts: received,
    });
    expect(gate(retractionDelivery(back), live, standing, NOW, SETTLE)).toEqual({
      action: 'send',
      payload: retractionPayload(back),
    });
    // The sink has stored the record but not yet the change itself: the record says it stands.
    const noRow = facts({ records: [stored(r), stored(back)], attempts: received });
    expect(gate(retractionDelivery(back), live, noRow, NOW, SETTLE).action).toBe('send');
    const outAgain = record({ event_id: 'r-out', revision: r.revision + 2 });
    const gone = facts({ records: [stored(r), stored(back), stored(outAgain)], attempts: received });
    expect(gate(retractionDelivery(back), live, gone, NOW, SETTLE)).toEqual({
      action: 'close',
      reason: `not sent: change ${x1.event_id} is not in force`,
    });
  });
});
