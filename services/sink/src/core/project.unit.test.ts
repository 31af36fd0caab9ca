import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { project, rowCount, type DecodedEvent } from './project.ts';
import {
  DIMENSION_NAMES,
  emptyDimensionValues,
  type NormalizedPrice,
  type PriceChangeRetracted,
  type ProviderDiscovered,
} from '@llmpt/schemas';
import {
  samples,
  DAY,
  HOUR,
  T0,
  TIERED,
  modelDiscovered,
  normalizedPrice,
  priceChanged,
  rawPriceObserved,
} from '@llmpt/schemas/samples';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The digest of priceChanged()'s sample by the rule of docs/design.md §3 (price-model.md §4.3): the
 * sha256 hex of the JSON array of its fields in PriceChanged.avsc's order, backfilled excluded, each
 * change entry as the array of its fields; written out by hand from schemas/test/builders.ts.
 */
const SAMPLE_DIGEST = createHash('sha256')
  .update(
    JSON.stringify([
      `pc-anthropic/claude-sonnet-4-anthropic-openrouter_endpoints-${T0}`, // event_id
      'run-1', // run_id
      'np-1', // caused_by
      T0, // occurred_at (epoch ms)
      'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints', // price_key
      'anthropic/claude-sonnet-4', // model_id
      'anthropic', // provider
      'openrouter_endpoints', // source_type
      'changed', // kind
      [['prompt', '3.00000000', '1.50000000', '-0.50000000', null, 'changed']], // changes
      T0 - DAY, // previous_observed_at
      T0, // current_observed_at
      '2026-05-07', // snapshot_date
      true, // alert
      '0.30', // alert_threshold
      null, // expiration_date
    ]),
    'utf8',
  )
  .digest('hex');

/** A retraction record of priceChanged()'s sample version. */
function retraction(o: Partial<PriceChangeRetracted> = {}): DecodedEvent {
  return {
    name: 'PriceChangeRetracted',
    event: {
      event_id: 'r-0',
      price_key: 'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints',
      retracted_event_id: `pc-anthropic/claude-sonnet-4-anthropic-openrouter_endpoints-${T0}`,
      retracted_digest: SAMPLE_DIGEST,
      retracted: true,
      revision: 1,
      caused_by: 'np-late',
      occurred_at: T0 + HOUR,
      ...o,
    },
  };
}

/** Price events know a provider's slug (and maybe name), never its catalog details. */
const noCatalog = {
  privacy_policy_url: null,
  terms_of_service_url: null,
  status_page_url: null,
  headquarters: null,
  datacenters: null,
  raw: null,
  catalog_seen_at: null,
};

describe('project', () => {
  it('maps a ModelDiscovered to one models_catalog row seen at its fetch time', () => {
    const rows = project([modelDiscovered()]);
    expect(rows.models).toEqual([
      {
        model_id: 'anthropic/claude-sonnet-4',
        canonical_slug: 'anthropic/claude-4-sonnet-20250522',
        name: 'Anthropic: Claude Sonnet 4',
        description: 'A model',
        created_at_source: '2025-05-22T00:00:00.000Z',
        context_length: 200_000,
        modality: 'text+image->text',
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
        tokenizer: 'Claude',
        supported_parameters: ['tools', 'max_tokens'],
        top_provider: { context_length: 200_000, max_completion_tokens: 64_000, is_moderated: true },
        raw: {
          id: 'anthropic/claude-sonnet-4',
          pricing: { prompt: '0.000003', completion: '0.000015' },
          extra: 1,
        },
        expiration_date: null,
        first_seen_at: '2026-05-07T12:00:00.000Z',
        last_seen_at: '2026-05-07T12:00:00.000Z',
        last_event_id: `md-anthropic/claude-sonnet-4-${T0}`,
      },
    ]);
    // The model row, its metadata version and its sighting (docs/design.md §3 "Model metadata history").
    expect(rowCount(rows)).toBe(3);
  });

  it('keeps a raw entry that is not JSON instead of dropping it', () => {
    const [model] = project([modelDiscovered({ raw_entry: 'not json' })]).models;
    expect(model?.raw).toEqual({ unparsed: 'not json' });
  });

  it('merges one model seen twice: first seen = earliest, last seen = latest, other columns from the newest', () => {
    const older = modelDiscovered({ fetched_at: T0, name: 'Old name', context_length: 100_000 });
    const newer = modelDiscovered({ fetched_at: T0 + DAY, name: 'New name', context_length: 200_000 });
    for (const batch of [
      [older, newer],
      [newer, older],
    ]) {
      const { models } = project(batch);
      expect(models).toHaveLength(1);
      expect(models[0]).toMatchObject({
        name: 'New name',
        context_length: 200_000,
        first_seen_at: iso(T0),
        last_seen_at: iso(T0 + DAY),
        last_event_id: newer.event.event_id,
      });
    }
  });

  it('maps a NormalizedPrice to an observation with money as the exact decimal strings', () => {
    const rows = project([
      normalizedPrice({
        prompt: '0.00000375',
        completion: '123456789.12345678',
        notes: ['single rate'],
        content_hash: 'ab12',
      }),
    ]);
    expect(rows.observations).toEqual([
      {
        event_id: `np-anthropic/claude-sonnet-4-anthropic-openrouter_endpoints-${T0}`,
        run_id: 'run-1',
        caused_by: 'raw-1',
        price_key: 'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints',
        model_id: 'anthropic/claude-sonnet-4',
        provider: 'anthropic',
        source_type: 'openrouter_endpoints',
        source_url: 'https://openrouter.ai/api/v1/models/anthropic/claude-sonnet-4/endpoints',
        snapshot_date: '2026-05-07',
        observed_at: '2026-05-07T12:00:00.000Z',
        status: 'ok',
        unavailable_reason: null,
        currency: 'USD',
        ...emptyDimensionValues(),
        prompt: '0.00000375',
        completion: '123456789.12345678',
        input_cache_read: '0.30000000',
        input_cache_write: '3.75000000',
        image: '0.00480000',
        notes: ['single rate'],
        base: [],
        tiers: [],
        unregistered: [],
        content_hash: 'ab12',
      },
    ]);
    // A hosting provider is catalogued too, named by its slug until an event carries its name.
    expect(rows.providers).toEqual([
      { slug: 'anthropic', name: 'anthropic', first_seen_at: iso(T0), last_seen_at: iso(T0), ...noCatalog },
    ]);
    expect(rows.modelProviders).toEqual([
      {
        model_id: 'anthropic/claude-sonnet-4',
        provider: 'anthropic',
        tag: null,
        context_length: null,
        max_completion_tokens: null,
        quantization: null,
        status: null,
        first_seen_at: iso(T0),
        last_seen_at: iso(T0),
      },
    ]);
  });

  it("catalogues no provider for OpenRouter's routed price (provider null)", () => {
    const rows = project([normalizedPrice({ provider: null, source_type: 'openrouter_api' })]);
    expect(rows.observations).toHaveLength(1);
    expect(rows.observations[0]?.provider).toBeNull();
    expect(rows.providers).toEqual([]);
    expect(rows.modelProviders).toEqual([]);
  });

  it('writes a replayed event once', () => {
    const e = normalizedPrice();
    const c = priceChanged();
    const rows = project([e, c, e, c, e]);
    expect(rows.observations).toHaveLength(1);
    expect(rows.changes).toHaveLength(1);
    expect(rows.providers).toHaveLength(1);
    expect(rows.modelProviders).toHaveLength(1);
  });

  it('maps a PriceChanged to a price_changes row with its changes as JSON', () => {
    expect(project([priceChanged()]).changes).toEqual([
      {
        event_id: `pc-anthropic/claude-sonnet-4-anthropic-openrouter_endpoints-${T0}`,
        run_id: 'run-1',
        caused_by: 'np-1',
        price_key: 'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints',
        model_id: 'anthropic/claude-sonnet-4',
        provider: 'anthropic',
        source_type: 'openrouter_endpoints',
        kind: 'changed',
        changes: [
          {
            dimension: 'prompt',
            previous: '3.00000000',
            current: '1.50000000',
            relative_change: '-0.50000000',
            tier: null,
            change: 'changed',
          },
        ],
        previous_observed_at: '2026-05-06T12:00:00.000Z',
        current_observed_at: '2026-05-07T12:00:00.000Z',
        snapshot_date: '2026-05-07',
        alert: true,
        alert_threshold: '0.30',
        expiration_date: null,
        occurred_at: '2026-05-07T12:00:00.000Z',
        digest: SAMPLE_DIGEST,
        backfilled: false,
      },
    ]);
  });

  it('writes content_hash null for an event without one (NormalizedPrice before v3), never an invented hash', () => {
    // What the codec yields for v1/v2 bytes (the Avro default), and a decoded record lacking the field.
    const { content_hash: _dropped, ...old } = normalizedPrice().event;
    void _dropped;
    const rows = project([
      normalizedPrice({ content_hash: null }),
      { name: 'NormalizedPrice', event: { ...old, event_id: 'np-old' } as NormalizedPrice },
    ]);
    expect(rows.observations.map((o) => o.content_hash)).toEqual([null, null]);
  });

  it('gives an observation a column for every registered dimension, and the price structure', () => {
    const [row] = project([normalizedPrice({ ...TIERED })]).observations;
    for (const d of DIMENSION_NAMES) expect(row, d).toHaveProperty(d);
    expect(row).toMatchObject({
      prompt: '6.00000000',
      input_cache_write_1h: '6.00000000',
      input_audio: '2.10000000',
      image_token: '0.00012345',
      image: null,
      discount: null,
      base: TIERED.base,
      tiers: TIERED.tiers,
      unregistered: TIERED.unregistered,
    });
  });

  it('keeps only the PriceTier fields in tiers, whatever else a decoded record carries', () => {
    const tier = { ...TIERED.tiers[0], extra: 'x', prices: [{ ...TIERED.tiers[0].prices[0], extra: 1 }] };
    const [row] = project([normalizedPrice({ ...TIERED, tiers: [tier] })]).observations;
    expect(row?.tiers).toEqual([{ ...TIERED.tiers[0], prices: [TIERED.tiers[0].prices[0]] }]);
  });

  it('maps the v2 sample events: tier and change of each change entry, expiration dates', () => {
    const rows = project([
      {
        name: 'PriceChanged',
        event: { ...samples.PriceChanged, kind: 'expiring', expiration_date: '2027-05-14' },
      },
      { name: 'ModelDiscovered', event: { ...samples.ModelDiscovered, expiration_date: '2027-05-14' } },
    ]);
    expect(rows.changes[0]).toMatchObject({
      kind: 'expiring',
      expiration_date: '2027-05-14',
      changes: samples.PriceChanged.changes,
    });
    expect(rows.changes[0]?.changes[0]).toMatchObject({ tier: 'prompt_tokens>200000', change: 'changed' });
    expect(rows.models[0]?.expiration_date).toBe('2027-05-14');
  });

  it("takes a model's expiration date from its newest event, also when the newest has none", () => {
    const dated = modelDiscovered({ fetched_at: T0, expiration_date: '2027-01-01' });
    const later = modelDiscovered({ fetched_at: T0 + DAY, expiration_date: null });
    expect(project([dated, later]).models[0]?.expiration_date).toBeNull();
    expect(project([later, dated]).models[0]?.expiration_date).toBeNull();
    expect(project([dated]).models[0]?.expiration_date).toBe('2027-01-01');
  });

  it('ignores catalog snapshots: removals reach the database as PriceChanged', () => {
    expect(rowCount(project([{ name: 'CatalogSnapshot', event: samples.CatalogSnapshot }]))).toBe(0);
  });

  it('keeps a provider name once known, and endpoint details an event without them does not erase', () => {
    const raw = rawPriceObserved({ fetched_at: T0 });
    const laterPrice = normalizedPrice({ observed_at: T0 + HOUR });
    for (const batch of [
      [raw, laterPrice],
      [laterPrice, raw],
    ]) {
      const rows = project(batch);
      expect(rows.providers).toEqual([
        {
          slug: 'anthropic',
          name: 'Anthropic',
          first_seen_at: iso(T0),
          last_seen_at: iso(T0 + HOUR),
          ...noCatalog,
        },
      ]);
      expect(rows.modelProviders).toEqual([
        {
          model_id: 'anthropic/claude-sonnet-4',
          provider: 'anthropic',
          tag: 'anthropic',
          context_length: 200_000,
          max_completion_tokens: 64_000,
          quantization: null,
          status: 0,
          first_seen_at: iso(T0),
          last_seen_at: iso(T0 + HOUR),
        },
      ]);
    }
  });

  it('ignores dead letters', () => {
    const deadLetter: DecodedEvent = {
      name: 'DeadLetter',
      event: {
        event_id: 'dl',
        run_id: null,
        caused_by: null,
        occurred_at: T0,
        stage: 'scraper',
        source_topic: null,
        source_partition: null,
        source_offset: null,
        source_url: null,
        key: null,
        payload: Buffer.from('{}'),
        error_code: 'X',
        error_message: 'x',
        retriable: false,
      },
    };
    expect(rowCount(project([deadLetter]))).toBe(0);
  });

  it('rejects an event name it does not know (a decoder bug, not poison input)', () => {
    expect(() => project([{ name: 'Nope', event: {} } as unknown as DecodedEvent])).toThrow(TypeError);
  });

  it('gives the same rows whatever the order of the events', () => {
    const pool: DecodedEvent[] = [
      // The same content seen on two days is one id; two ids claiming one instant keep the smaller.
      modelDiscovered({ fetched_at: T0 + 2 * DAY, event_id: 'md-same' }),
      modelDiscovered({ fetched_at: T0 + 3 * DAY, event_id: 'md-same' }),
      modelDiscovered({ fetched_at: T0 + 3 * DAY, event_id: 'md-other', name: 'Other' }),
      modelDiscovered({ fetched_at: T0 }),
      modelDiscovered({ fetched_at: T0 + DAY, name: 'Renamed' }),
      modelDiscovered({ model_id: 'openai/gpt-4o', fetched_at: T0 + HOUR }),
      normalizedPrice({ observed_at: T0 }),
      normalizedPrice({ observed_at: T0 + 2 * HOUR, prompt: '1.50000000' }),
      normalizedPrice({ provider: 'google-vertex', observed_at: T0 + HOUR }),
      normalizedPrice({ provider: null, source_type: 'openrouter_api' }),
      rawPriceObserved({ fetched_at: T0 + 3 * HOUR, endpoint: null }),
      rawPriceObserved({ fetched_at: T0 - HOUR, provider: 'google-vertex', provider_name: 'Google Vertex' }),
      priceChanged(),
      priceChanged({ kind: 'new', current_observed_at: T0 + HOUR }),
      // Two versions of one id, twice each; retraction records, one of them twice.
      priceChanged({ previous_observed_at: T0 - 2 * DAY }),
      priceChanged({ previous_observed_at: T0 - 2 * DAY }),
      priceChanged({ previous_observed_at: T0 - 3 * DAY, backfilled: true }),
      retraction({ event_id: 'r-1' }),
      retraction({ event_id: 'r-1' }),
      retraction({ event_id: 'r-2', revision: 2, retracted: false }),
    ];
    const expected = project(pool);
    expect(expected.changes).toHaveLength(4);
    expect(expected.retractions).toHaveLength(2);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }),
        (shuffled) => {
          expect(project(shuffled)).toEqual(expected);
        },
      ),
    );
  });
});

// docs/price-model.md §4.3-4.5, docs/design.md §3 (migrations/0016): a change is stored per version
// (event id and digest) with its backfilled marker; retraction records are rows of their own.
describe('versions of changes and retractions', () => {
  it("digests a change as the doc says: sha256 hex of the JSON array of PriceChanged.avsc's fields before backfilled", () => {
    expect(project([priceChanged()]).changes[0]?.digest).toBe(SAMPLE_DIGEST);
    // Every digest field counts, previous_observed_at included (it is outside the id: §4.3).
    expect(project([priceChanged({ previous_observed_at: T0 - 2 * DAY })]).changes[0]?.digest).not.toBe(
      SAMPLE_DIGEST,
    );
  });

  it('keeps backfilled out of the digest and on the row', () => {
    const [row] = project([priceChanged({ backfilled: true })]).changes;
    expect(row).toMatchObject({ digest: SAMPLE_DIGEST, backfilled: true });
  });

  it('keeps two versions of one id as two rows; a copy of a version is one row, the first copy wins', () => {
    const v1 = priceChanged();
    const v2 = priceChanged({ previous_observed_at: T0 - 2 * DAY });
    const rows = project([v1, v2, { ...v1, event: { ...v1.event, backfilled: true } }, v2]).changes;
    expect(rows.map((r) => [r.event_id, r.previous_observed_at, r.backfilled])).toEqual(
      expect.arrayContaining([
        [v1.event.event_id, iso(T0 - DAY), false],
        [v1.event.event_id, iso(T0 - 2 * DAY), false],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.digest)).size).toBe(2);
    expect(rows.find((r) => r.previous_observed_at === iso(T0 - DAY))?.digest).toBe(SAMPLE_DIGEST);
  });

  it('maps a PriceChangeRetracted to a price_change_retractions row, once per event id', () => {
    const r = retraction({ event_id: 'r-1', revision: 7, retracted: false });
    expect(project([r, r]).retractions).toEqual([
      {
        event_id: 'r-1',
        price_key: 'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints',
        retracted_event_id: `pc-anthropic/claude-sonnet-4-anthropic-openrouter_endpoints-${T0}`,
        retracted_digest: SAMPLE_DIGEST,
        retracted: false,
        revision: 7,
        caused_by: 'np-late',
        occurred_at: iso(T0 + HOUR),
      },
    ]);
    expect(rowCount(project([r]))).toBe(1);
  });

  it('projects the saved sample PriceChangeRetracted', () => {
    const e = samples.PriceChangeRetracted;
    expect(project([{ name: 'PriceChangeRetracted', event: e }]).retractions).toEqual([
      {
        event_id: e.event_id,
        price_key: e.price_key,
        retracted_event_id: e.retracted_event_id,
        retracted_digest: e.retracted_digest,
        retracted: true,
        revision: 3,
        caused_by: e.caused_by,
        occurred_at: iso(e.occurred_at),
      },
    ]);
  });
});

// docs/design.md §3 "Model metadata history": one model_versions row per distinct published entry
// (keyed by the ModelDiscovered id), one model_sightings row per (model, fetch instant).
describe('model metadata history', () => {
  const version = {
    event_id: 'md-v1',
    model_id: 'anthropic/claude-sonnet-4',
    canonical_slug: 'anthropic/claude-4-sonnet-20250522',
    name: 'Anthropic: Claude Sonnet 4',
    description: 'A model',
    created_at_source: '2025-05-22T00:00:00.000Z',
    context_length: 200_000,
    modality: 'text+image->text',
    input_modalities: ['text', 'image'],
    output_modalities: ['text'],
    tokenizer: 'Claude',
    supported_parameters: ['tools', 'max_tokens'],
    top_provider: { context_length: 200_000, max_completion_tokens: 64_000, is_moderated: true },
    raw: {
      id: 'anthropic/claude-sonnet-4',
      pricing: { prompt: '0.000003', completion: '0.000015' },
      extra: 1,
    },
    expiration_date: null,
  };

  it('maps a ModelDiscovered to its version (the metadata, no seen times) and one sighting at its fetch time', () => {
    const rows = project([modelDiscovered({ event_id: 'md-v1', fetched_at: T0 })]);
    expect(rows.modelVersions).toEqual([version]);
    expect(rows.modelSightings).toEqual([
      { model_id: 'anthropic/claude-sonnet-4', fetched_at: iso(T0), event_id: 'md-v1' },
    ]);
  });

  it('keeps one version per id and one sighting per fetch: the same entry on three days, then a new one', () => {
    const rows = project([
      modelDiscovered({ event_id: 'md-v1', fetched_at: T0 }),
      modelDiscovered({ event_id: 'md-v1', fetched_at: T0 + DAY }),
      modelDiscovered({ event_id: 'md-v1', fetched_at: T0 + 2 * DAY }),
      modelDiscovered({ event_id: 'md-v2', fetched_at: T0 + 3 * DAY, context_length: 1_000_000 }),
    ]);
    expect(rows.modelVersions).toEqual([
      version,
      { ...version, event_id: 'md-v2', context_length: 1_000_000 },
    ]);
    expect(rows.modelSightings.map((s) => [s.fetched_at, s.event_id])).toEqual([
      [iso(T0), 'md-v1'],
      [iso(T0 + DAY), 'md-v1'],
      [iso(T0 + 2 * DAY), 'md-v1'],
      [iso(T0 + 3 * DAY), 'md-v2'],
    ]);
    // The catalog projection still holds only the newest.
    expect(rows.models).toHaveLength(1);
    expect(rows.models[0]).toMatchObject({ context_length: 1_000_000, last_event_id: 'md-v2' });
  });

  it('sightings of different models at one instant are separate rows', () => {
    const rows = project([
      modelDiscovered({ event_id: 'a', fetched_at: T0 }),
      modelDiscovered({ event_id: 'b', model_id: 'openai/gpt-4o', fetched_at: T0 }),
    ]);
    expect(rows.modelSightings.map((s) => s.model_id)).toEqual([
      'anthropic/claude-sonnet-4',
      'openai/gpt-4o',
    ]);
    expect(rows.modelVersions.map((v) => v.event_id)).toEqual(['a', 'b']);
  });

  it('two ids for one model at one instant: one sighting, the smaller id, whatever the order', () => {
    const a = modelDiscovered({ event_id: 'md-a', fetched_at: T0, name: 'A' });
    const b = modelDiscovered({ event_id: 'md-b', fetched_at: T0, name: 'B' });
    for (const batch of [
      [a, b],
      [b, a],
    ]) {
      const rows = project(batch);
      expect(rows.modelSightings).toEqual([
        { model_id: 'anthropic/claude-sonnet-4', fetched_at: iso(T0), event_id: 'md-a' },
      ]);
      // Both contents are versions (a version is a fact of its own).
      expect(rows.modelVersions.map((v) => [v.event_id, v.name])).toEqual([
        ['md-a', 'A'],
        ['md-b', 'B'],
      ]);
    }
  });

  it('other events write no version and no sighting', () => {
    const rows = project([normalizedPrice(), priceChanged(), rawPriceObserved()]);
    expect(rows.modelVersions).toEqual([]);
    expect(rows.modelSightings).toEqual([]);
  });
});

describe('providers catalog', () => {
  const catalog = (o: Partial<ProviderDiscovered>): DecodedEvent => ({
    name: 'ProviderDiscovered',
    event: {
      event_id: `pd-${o.fetched_at ?? T0}`,
      run_id: 'run-1',
      caused_by: null,
      occurred_at: o.fetched_at ?? T0,
      slug: 'google-vertex',
      name: 'Google',
      privacy_policy_url: 'https://cloud.google.com/terms/cloud-privacy-notice',
      terms_of_service_url: null,
      status_page_url: null,
      headquarters: 'US',
      datacenters: ['US'],
      raw_entry: JSON.stringify({
        slug: 'google-vertex',
        name: 'Google',
        headquarters: o.headquarters ?? 'US',
      }),
      source_url: 'http://127.0.0.1/api/v1/providers',
      fetched_at: T0,
      content_hash: 'h',
      ...o,
    },
  });

  it('the newest catalog entry gives the details, whatever the order; price events never erase them', () => {
    const older = catalog({ fetched_at: T0, headquarters: 'US' });
    const newer = catalog({ fetched_at: T0 + DAY, headquarters: 'DE', datacenters: ['DE', 'FI'] });
    const price = normalizedPrice({ provider: 'google-vertex', observed_at: T0 + 2 * DAY });
    for (const batch of [
      [older, newer, price],
      [price, newer, older],
    ]) {
      const [row] = project(batch).providers;
      expect(row).toMatchObject({
        slug: 'google-vertex',
        name: 'Google',
        headquarters: 'DE',
        datacenters: ['DE', 'FI'],
        catalog_seen_at: iso(T0 + DAY),
        first_seen_at: iso(T0),
        last_seen_at: iso(T0 + 2 * DAY),
      });
    }
  });
});
