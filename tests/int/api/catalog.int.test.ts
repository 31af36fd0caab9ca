// GET /v1/catalog on the pipeline-filled database of setup.ts (two recorded OpenRouter days through
// the real stages, the app's clock 2026-08-20). Expected values come from the recorded files and the
// rules of services/api/README.md "The catalog in one answer" (amounts: the published per-token price
// ×1M at scale 8 half-even; a provider with several endpoints: the highest per dimension), and the
// last change from the rows of price_changes_in_force, never from the API's code.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceChanged } from '@llmpt/schemas/samples';
import { createPostgresStore, project } from '@llmpt/sink';
import { withClient } from '@llmpt/testkit';
import { readJson, recorded, startRecordedApi, type Json, type RecordedApi } from './setup.ts';

const DIMENSIONS = ['prompt', 'completion', 'input_cache_read', 'input_cache_write'] as const;
type Amounts = Record<(typeof DIMENSIONS)[number], string | null>;
const NOW = '2026-08-20T00:00:00.000Z';
const OBSERVED = { day1: '2026-08-01T06:00:02.000Z', day2: '2026-08-19T06:00:02.000Z' } as const;

/** A published per-token price as the listing prints it: USD per 1M tokens, scale 8, half-even. */
const perMillion = (published: unknown): string | null =>
  typeof published === 'string'
    ? new Decimal(published).times(1e6).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed(8)
    : null;

const amountsOf = (pricing: Json): Amounts =>
  Object.fromEntries(DIMENSIONS.map((d) => [d, perMillion(pricing[d])])) as Amounts;

/** The highest of several endpoints' amounts per dimension (null when none has one). */
function highest(list: readonly Amounts[]): Amounts {
  return Object.fromEntries(
    DIMENSIONS.map((d) => {
      const values = list.map((a) => a[d]).filter((v): v is string => v !== null);
      return [d, values.length ? Decimal.max(...values).toFixed(8) : null];
    }),
  ) as Amounts;
}

/** The scraper's documented provider slug: the tag before "/", else the display name slugified. */
const slugOf = (e: Json): string =>
  typeof e.tag === 'string' && e.tag
    ? e.tag.split('/')[0]!.trim().toLowerCase()
    : String(e.provider_name)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');

interface ChangeRow {
  model_id: string;
  at: string;
  event_id: string;
  kind: string;
  alert: boolean;
  provider: string | null;
}

interface ExpectedProvider extends Amounts {
  provider: string;
  source: string;
  status: string;
  has_tiers: boolean;
  observed_at: string;
}

/** One recorded day's endpoint prices of a model, per provider. */
function providersOfDay(day: 'day1' | 'day2', id: string): Map<string, ExpectedProvider> {
  const list = (readJson('endpoints', `${day}.json`)[id] ?? []) as Json[];
  const groups = new Map<string, Json[]>();
  for (const e of list) groups.set(slugOf(e), [...(groups.get(slugOf(e)) ?? []), e]);
  return new Map(
    [...groups].map(([provider, group]) => {
      const one = group.length === 1 ? group[0]! : undefined;
      const overrides = one ? (one.pricing as Json).overrides : undefined;
      return [
        provider,
        {
          provider,
          source: 'openrouter_endpoints',
          status: 'ok',
          ...(one ? amountsOf(one.pricing as Json) : highest(group.map((e) => amountsOf(e.pricing as Json)))),
          // Several endpoints of one provider are one price with a variant tier each.
          has_tiers: !one || (Array.isArray(overrides) && overrides.length > 0),
          observed_at: OBSERVED[day],
        },
      ];
    }),
  );
}

/**
 * The entry of model `id` as the recorded days say it at `at`: the newest recorded day at or before
 * it for the catalog fields and the routed price; per provider its newest recorded day (this database
 * holds no removal: the pipeline removes after two absences, setup.ts records one).
 */
function expectedEntry(id: string, days: readonly ('day1' | 'day2')[]): Json {
  const entries = days.map((d) => recorded[d].find((m) => m.id === id)).filter((m) => m !== undefined);
  const m = entries.at(-1)!;
  const pricing = m.pricing as Json;
  const routed = Object.values(pricing).includes('-1') ? null : amountsOf(pricing);
  const byProvider = new Map<string, ExpectedProvider>();
  for (const d of days) for (const [slug, p] of providersOfDay(d, id)) byProvider.set(slug, p);
  const providers = [...byProvider.values()].sort((a, b) => (a.provider < b.provider ? -1 : 1));
  const routedTiers = Array.isArray(pricing.overrides) && pricing.overrides.length > 0;
  const arch = (m.architecture ?? {}) as Json;
  return {
    id,
    name: m.name,
    created: m.created ?? null,
    context_length: m.context_length ?? null,
    input_modalities: arch.input_modalities ?? [],
    output_modalities: arch.output_modalities ?? [],
    expiration_date: m.expiration_date ?? null,
    routed,
    free: routed !== null && routed.prompt === '0.00000000' && routed.completion === '0.00000000',
    providers,
    has_tiers: routedTiers || providers.some((p) => p.has_tiers),
  };
}

describe('GET /v1/catalog on two recorded OpenRouter days', () => {
  let api: RecordedApi;
  /** Every change in force, `at` as /v1/changes computes it (README "Changes"). */
  let changesInForce: ChangeRow[];

  beforeAll(async () => {
    api = await startRecordedApi('catalog');
    changesInForce = await withClient(api.db.url, async (c) =>
      (
        await c.query(
          `select model_id, event_id, kind, alert, provider,
                  coalesce(current_observed_at, snapshot_date::timestamp at time zone 'UTC') as at
             from price_changes_in_force`,
        )
      ).rows.map((r: Omit<ChangeRow, 'at'> & { at: Date }) => ({ ...r, at: r.at.toISOString() })),
    );
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  /** The model's newest change at or before `at`: the greatest (at, event_id). */
  const lastChange = (id: string, at: string): Json | null => {
    const mine = changesInForce
      .filter((c) => c.model_id === id && c.at <= at)
      .sort((a, b) => (a.at === b.at ? (a.event_id < b.event_id ? 1 : -1) : a.at < b.at ? 1 : -1));
    const c = mine[0];
    return c ? { at: c.at, kind: c.kind, alert: c.alert, provider: c.provider } : null;
  };

  const catalogAt = async (query: string) => {
    const { res, body } = await api.get(`/v1/catalog${query}`);
    expect(res.status, query).toBe(200);
    api.validate('/v1/catalog', 200, body);
    return { res, body: body as { data: Json[]; providers: string[] } };
  };

  it('now: every model of either recorded day, each as its newest day published it, with every provider', async () => {
    const { res, body } = await catalogAt('');
    const ids = [...new Set([...recorded.day1, ...recorded.day2].map((m) => String(m.id)))].sort();
    expect(body.data.map((e) => e.id)).toEqual(ids);
    for (const e of body.data) {
      const id = String(e.id);
      expect(e, id).toEqual({ ...expectedEntry(id, ['day1', 'day2']), last_change: lastChange(id, NOW) });
    }
    // The same models as /v1/models (README: "exactly those of /v1/models").
    const models = (await api.get('/v1/models')).body!.data as Json[];
    expect(body.data.map((e) => e.id)).toEqual(models.map((m) => m.id));
    expect(body.providers).toEqual(
      [...new Set(body.data.flatMap((e) => (e.providers as Json[]).map((p) => String(p.provider))))].sort(),
    );
    // What the recorded days hold: a free model, an unavailable router, tiers, several endpoints.
    const byId = new Map(body.data.map((e) => [e.id, e]));
    expect(byId.get('openai/gpt-oss-20b:free')).toMatchObject({ free: true });
    expect(byId.get('openrouter/auto')).toMatchObject({ routed: null, free: false });
    expect(byId.get('openai/gpt-5.5')).toMatchObject({ has_tiers: true });
    expect(body.data.some((e) => (e.providers as Json[]).some((p) => p.has_tiers === true))).toBe(true);
    // qwen/qwen3-14b's cut of day 2 (fixtures/sample-catalog/README.md "What changes").
    expect(byId.get('qwen/qwen3-14b')!.routed).toMatchObject({
      prompt: '0.12000000',
      completion: '0.24000000',
    });
    // Last-Modified: the newest observation listed (day 2's endpoints, 06:00:02Z) or change.
    const newest = await withClient(
      api.db.url,
      async (c) =>
        (
          await c.query<{ t: Date }>(
            `select greatest((select max(observed_at) from price_observations where observed_at <= $1),
                           (select max(coalesce(current_observed_at, snapshot_date::timestamp at time zone 'UTC'))
                              from price_changes_in_force)) as t`,
            [NOW],
          )
        ).rows[0]!.t,
    );
    expect(res.headers.get('last-modified')).toBe(newest.toUTCString());
    expect(res.headers.get('etag')).toMatch(/^"/);
  });

  it('at=2026-08-05: day 1’s catalog, at day 1’s prices and metadata', async () => {
    const { res, body } = await catalogAt('?at=2026-08-05');
    expect(body.data.map((e) => e.id)).toEqual(recorded.day1.map((m) => String(m.id)).sort());
    for (const e of body.data) {
      const id = String(e.id);
      expect(e, id).toEqual({
        ...expectedEntry(id, ['day1']),
        last_change: lastChange(id, '2026-08-05T00:00:00.000Z'),
      });
    }
    expect(body.data.map((e) => e.id)).not.toContain('google/gemini-3.7-flash');
    expect(res.headers.get('last-modified')).toBe('Sat, 01 Aug 2026 06:00:02 GMT');
    // Before anything was observed: nothing.
    expect((await catalogAt('?at=2026-07-01')).body).toEqual({ data: [], providers: [] });
  });

  it('If-None-Match and If-Modified-Since answer 304; bad input is a JSON 400', async () => {
    const first = await api.get('/v1/catalog?at=2026-08-05');
    const again = await api.get('/v1/catalog?at=2026-08-05', {
      'if-none-match': first.res.headers.get('etag')!,
    });
    expect(again.res.status).toBe(304);
    const since = await api.get('/v1/catalog?at=2026-08-05', {
      'if-modified-since': first.res.headers.get('last-modified')!,
    });
    expect(since.res.status).toBe(304);
    for (const url of ['/v1/catalog?at=yesterday', '/v1/catalog?limit=10', '/v1/catalog?at=2026-02-30']) {
      const { res, body } = await api.get(url);
      expect(res.status, url).toBe(400);
      expect((body!.error as Json).code).toBe('BAD_REQUEST');
      api.validate('/v1/catalog', 400, body);
    }
  });

  // Last: it adds rows to the database the tests above read.
  it('a model removed on day 2 is absent now and still listed on day 1', async () => {
    // openai/gpt-5.3-chat left the catalog on day 2 (fixtures/sample-catalog/README.md); the pipeline
    // removes a model after two absent complete catalogs (docs/price-model.md §3 rule 5), so setup.ts
    // has no removal: write the ones the normalizer would publish, one per price key of the model.
    const id = 'openai/gpt-5.3-chat';
    const before = await catalogAt('');
    expect(before.body.data.map((e) => e.id)).toContain(id);
    const keys = await withClient(
      api.db.url,
      async (c) =>
        (
          await c.query<{ price_key: string; provider: string | null; source_type: string }>(
            'select distinct price_key, provider, source_type from price_observations where model_id = $1',
            [id],
          )
        ).rows,
    );
    expect(keys.length).toBeGreaterThan(1);
    const removals = keys.map((k, i) => ({
      name: 'PriceChanged' as const,
      event: priceChanged({
        event_id: `test-removal-${i}`,
        price_key: k.price_key,
        model_id: id,
        provider: k.provider,
        source_type: k.source_type as 'openrouter_api',
        kind: 'removed',
        changes: [],
        previous_observed_at: Date.parse(OBSERVED.day1),
        current_observed_at: null,
        snapshot_date: '2026-08-19',
        alert: false,
      }).event,
    }));
    const store = createPostgresStore({ databaseUrl: api.db.url });
    try {
      await store.writeBatch(project(removals));
    } finally {
      await store.close();
    }
    const after = await catalogAt('');
    expect(after.body.data.map((e) => e.id)).toEqual(
      before.body.data.map((e) => e.id).filter((x) => x !== id),
    );
    expect(((await api.get('/v1/models')).body!.data as Json[]).map((m) => m.id)).not.toContain(id);
    const day1 = await catalogAt('?at=2026-08-05');
    expect(day1.body.data.find((e) => e.id === id)).toMatchObject(expectedEntry(id, ['day1']));
    // The removal (2026-08-19T00:00Z) is older than day 2's observations: Last-Modified stays.
    expect(after.res.headers.get('last-modified')).toBe(before.res.headers.get('last-modified'));
  });
});
