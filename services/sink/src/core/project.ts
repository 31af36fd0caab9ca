import {
  changeDigest,
  DIMENSION_NAMES,
  type DimensionChange,
  type DimensionPrice,
  type EventName,
  type EventTypes,
  type ModelDiscovered,
  type MoneyValues,
  type NormalizedPrice,
  type PriceChanged,
  type PriceChangeRetracted,
  type PriceDiscrepancy,
  type PriceVerified,
  type PriceTier,
  type ProviderDiscovered,
  type RawPriceObserved,
  type TopProvider,
  type UnregisteredComponent,
  versionOf,
} from '@llmpt/schemas';

/**
 * The sink's functional core: decoded events in, table rows out, no I/O and no clock.
 *
 * Row fields are named after the table columns (migrations/0002, 0003, 0010, 0016) so adapters can send them
 * as they are. Timestamps are ISO-8601 UTC strings (always `toISOString()`, so they also compare
 * correctly as strings); money stays a decimal string end to end, never a JS number.
 *
 * Convergence: the same rows come out whatever order the events of a batch arrive in, and the
 * adapters apply the same merge rules against what is already stored (first_seen_at = least,
 * last_seen_at = greatest, other columns from the newest event), so a replay in any order, in any
 * batching, ends in the same database.
 */

/** One decoded Kafka message: the Avro record name and its value. */
export type DecodedEvent = {
  [K in EventName]: { readonly name: K; readonly event: EventTypes[K] };
}[EventName];

export interface ProviderRow {
  readonly slug: string;
  /** The published name, or the slug when no event carried one (never overwrites a known name). */
  readonly name: string;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
  /** From the providers catalog (ProviderDiscovered) only; null from price events. */
  readonly privacy_policy_url: string | null;
  readonly terms_of_service_url: string | null;
  readonly status_page_url: string | null;
  readonly headquarters: string | null;
  readonly datacenters: readonly string[] | null;
  readonly raw: unknown;
  /** When the catalog details were fetched: the newest catalog entry's details win. */
  readonly catalog_seen_at: string | null;
}

/** A model's published details, as models_catalog and model_versions keep them. */
export interface ModelMetadata {
  readonly model_id: string;
  readonly canonical_slug: string | null;
  readonly name: string;
  readonly description: string | null;
  readonly created_at_source: string | null;
  readonly context_length: number | null;
  readonly modality: string | null;
  readonly input_modalities: readonly string[];
  readonly output_modalities: readonly string[];
  readonly tokenizer: string | null;
  readonly supported_parameters: readonly string[];
  readonly top_provider: TopProvider | null;
  /** The model entry as published (parsed raw_entry), so unnamed fields and pricing are kept. */
  readonly raw: unknown;
  /** As OpenRouter publishes it; null when the entry has none (v1 and v2 events never do). */
  readonly expiration_date: string | null;
}

export interface ModelRow extends ModelMetadata {
  readonly first_seen_at: string;
  readonly last_seen_at: string;
  /** The event the other columns come from: breaks ties between events seen at the same instant. */
  readonly last_event_id: string;
}

export interface ModelProviderRow {
  readonly model_id: string;
  readonly provider: string;
  /** Endpoint details: null means "not known from this event", never "cleared" (merged with coalesce). */
  readonly tag: string | null;
  readonly context_length: number | null;
  readonly max_completion_tokens: number | null;
  readonly quantization: string | null;
  readonly status: number | null;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
}

/**
 * One distinct published model entry (migrations/0015 model_versions), keyed by the ModelDiscovered
 * id = sha256(model_id, content_hash): the same entry seen on several days is one row. Append-only:
 * the first copy of an id wins (copies carry the same content).
 */
export interface ModelVersionRow extends ModelMetadata {
  readonly event_id: string;
}

/** One fetch of a model's catalog entry (migrations/0015 model_sightings): which version was seen when. */
export interface ModelSightingRow {
  readonly model_id: string;
  readonly fetched_at: string;
  readonly event_id: string;
}

export interface ObservationRow extends MoneyValues {
  readonly event_id: string;
  readonly run_id: string;
  readonly caused_by: string | null;
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source_type: string;
  readonly source_url: string;
  readonly snapshot_date: string;
  readonly observed_at: string;
  readonly status: string;
  readonly unavailable_reason: string | null;
  readonly currency: string;
  readonly notes: readonly string[];
  /** jsonb columns, money as JSON strings; `[]` for v1 events, which carried no structure. */
  readonly base: readonly DimensionPrice[];
  readonly tiers: readonly PriceTier[];
  readonly unregistered: readonly UnregisteredComponent[];
  /**
   * sha256 hex of the fetched bytes (the raw observation's content_hash); null for events written
   * before NormalizedPrice v3 and for an unavailable observation that fetched nothing.
   */
  readonly content_hash: string | null;
}

export interface ChangeRow {
  readonly event_id: string;
  readonly run_id: string;
  readonly caused_by: string | null;
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source_type: string;
  readonly kind: string;
  readonly changes: readonly DimensionChange[];
  readonly previous_observed_at: string | null;
  readonly current_observed_at: string | null;
  readonly snapshot_date: string;
  readonly alert: boolean;
  readonly alert_threshold: string;
  readonly expiration_date: string | null;
  /** The PriceChanged event's occurred_at (ISO), kept so the live event can be rebuilt exactly. */
  readonly occurred_at: string;
  /**
   * migrations/0016: the version's digest (docs/price-model.md §4.3, `changeDigest`); with the event id
   * it identifies the row: a late input can give an id a second version.
   */
  readonly digest: string;
  /** How the change was learned (§4.5): not part of the id or the digest. */
  readonly backfilled: boolean;
}

/**
 * One PriceChangeRetracted (migrations/0016 price_change_retractions): the version
 * (retracted_event_id, retracted_digest) is out of force (`retracted`) or in force again; for a
 * version the record with the highest revision decides (docs/price-model.md §4.4).
 */
export interface RetractionRow {
  readonly event_id: string;
  readonly price_key: string;
  readonly retracted_event_id: string;
  readonly retracted_digest: string;
  readonly retracted: boolean;
  readonly revision: number;
  readonly caused_by: string;
  readonly occurred_at: string;
}

/**
 * One PriceVerified (migrations/0018, the original design's byok_verifications): a verifier probe,
 * what it was charged and what its usage costs at the price in force. Money as decimal strings.
 */
export interface VerificationRow {
  readonly event_id: string;
  readonly run_id: string;
  readonly model_id: string;
  readonly provider: string;
  readonly verified_at: string;
  readonly outcome: string;
  readonly http_status: number | null;
  readonly latency_ms: number;
  readonly served_provider: string | null;
  readonly served_model: string | null;
  readonly generation_id: string | null;
  readonly error_code: string | null;
  readonly error_message: string | null;
  readonly is_byok: boolean | null;
  readonly cost: string | null;
  readonly upstream_inference_cost: string | null;
  /** The usage counts as published (usage.raw parsed), null without usage. */
  readonly usage: unknown;
  readonly price_key: string | null;
  readonly price_event_id: string | null;
  readonly expected_cost: string | null;
  readonly charged_cost: string | null;
  readonly difference: string | null;
  readonly discrepancy: boolean;
  /** The comparison's components and tolerance (the original design's column). */
  readonly price_matches: unknown;
  /** Why no comparison was made (the original design's column). */
  readonly notes: string | null;
}

/** One PriceDiscrepancy (migrations/0018 price_discrepancies). */
export interface DiscrepancyRow {
  readonly event_id: string;
  readonly run_id: string;
  readonly caused_by: string;
  readonly occurred_at: string;
  readonly model_id: string;
  readonly provider: string;
  readonly price_key: string;
  readonly price_event_id: string | null;
  readonly expected_cost: string;
  readonly charged_cost: string;
  readonly difference: string;
  readonly relative_difference: string | null;
  readonly tolerance_absolute: string;
  readonly tolerance_relative: string;
  readonly is_byok: boolean | null;
  readonly generation_id: string | null;
}

export interface Rows {
  readonly providers: readonly ProviderRow[];
  readonly models: readonly ModelRow[];
  readonly modelProviders: readonly ModelProviderRow[];
  readonly observations: readonly ObservationRow[];
  readonly changes: readonly ChangeRow[];
  readonly retractions: readonly RetractionRow[];
  readonly modelVersions: readonly ModelVersionRow[];
  readonly modelSightings: readonly ModelSightingRow[];
  readonly verifications: readonly VerificationRow[];
  readonly discrepancies: readonly DiscrepancyRow[];
}

/** The lists of Rows, in the order a batch writes them (the stores write one table per list). */
export const ROW_LISTS = [
  'providers',
  'models',
  'modelProviders',
  'observations',
  'changes',
  'retractions',
  'modelVersions',
  'modelSightings',
  'verifications',
  'discrepancies',
] as const satisfies readonly (keyof Rows)[];

export const emptyRows: Rows = {
  providers: [],
  models: [],
  modelProviders: [],
  observations: [],
  changes: [],
  retractions: [],
  modelVersions: [],
  modelSightings: [],
  verifications: [],
  discrepancies: [],
};

export function rowCount(rows: Rows): number {
  return ROW_LISTS.reduce((n, list) => n + rows[list].length, 0);
}

export function project(batch: readonly DecodedEvent[]): Rows {
  const providers = new Map<string, ProviderRow>();
  const models = new Map<string, ModelRow>();
  const modelProviders = new Map<string, ModelProviderRow>();
  const observations = new Map<string, ObservationRow>();
  const changes = new Map<string, ChangeRow>();
  const retractions = new Map<string, RetractionRow>();
  const modelVersions = new Map<string, ModelVersionRow>();
  const modelSightings = new Map<string, ModelSightingRow>();
  const verifications = new Map<string, VerificationRow>();
  const discrepancies = new Map<string, DiscrepancyRow>();

  const addProvider = (row: ProviderRow): void => upsert(providers, row.slug, row, mergeProvider);
  const addModelProvider = (row: ModelProviderRow): void =>
    // JSON-encoded so no slug containing a separator can collide with another pair.
    upsert(modelProviders, JSON.stringify([row.model_id, row.provider]), row, mergeModelProvider);

  for (const decoded of batch) {
    switch (decoded.name) {
      case 'ModelDiscovered': {
        const row = modelRow(decoded.event);
        upsert(models, row.model_id, row, mergeModel);
        // History: the first copy of a version id wins (copies are the same content); one sighting
        // per (model, fetch instant), the smaller event id should two ever claim one instant (the
        // table keeps the first written; the batch itself must not depend on arrival order).
        if (!modelVersions.has(row.last_event_id)) modelVersions.set(row.last_event_id, versionRow(row));
        const sighting: ModelSightingRow = {
          model_id: row.model_id,
          fetched_at: row.last_seen_at,
          event_id: row.last_event_id,
        };
        const key = JSON.stringify([sighting.model_id, sighting.fetched_at]);
        const had = modelSightings.get(key);
        if (had === undefined || sighting.event_id < had.event_id) modelSightings.set(key, sighting);
        break;
      }
      case 'ProviderDiscovered':
        addProvider(providerCatalogRow(decoded.event));
        break;
      case 'RawPriceObserved': {
        const e = decoded.event;
        if (e.provider === null) break;
        const seen = iso(e.fetched_at);
        addProvider(providerRow(e.provider, e.provider_name, seen));
        addModelProvider(endpointRow(e, e.provider, seen));
        break;
      }
      case 'NormalizedPrice': {
        const e = decoded.event;
        // Copies of one fact: the earliest sighting wins (docs/design.md §3, migrations/0017), as the
        // database keeps it, so one statement never meets an id twice.
        const row = observationRow(e);
        const held = observations.get(e.event_id);
        if (!held || earlierSighting(row, held)) observations.set(e.event_id, row);
        if (e.provider !== null) {
          const seen = iso(e.observed_at);
          addProvider(providerRow(e.provider, null, seen));
          addModelProvider(emptyEndpointRow(e.model_id, e.provider, seen));
        }
        break;
      }
      case 'PriceChanged': {
        // Facts: one row per version (id and digest); of copies of a version the first wins (they
        // differ at most in backfilled, which a version keeps as first published: §4.5).
        const row = changeRow(decoded.event);
        const version = versionOf(row.event_id, row.digest);
        if (!changes.has(version)) changes.set(version, row);
        break;
      }
      case 'PriceChangeRetracted':
        if (!retractions.has(decoded.event.event_id))
          retractions.set(decoded.event.event_id, retractionRow(decoded.event));
        break;
      case 'PriceVerified':
        // Facts keyed by their id: a redelivered copy is the same row.
        if (!verifications.has(decoded.event.event_id))
          verifications.set(decoded.event.event_id, verificationRow(decoded.event));
        break;
      case 'PriceDiscrepancy':
        if (!discrepancies.has(decoded.event.event_id))
          discrepancies.set(decoded.event.event_id, discrepancyRow(decoded.event));
        break;
      case 'DeadLetter':
        // Dead letters live in their topic; the database holds prices only.
        break;
      case 'CatalogSnapshot':
        // The normalizer turns snapshots into removals (PriceChanged); the catalog itself is in
        // models_catalog already, one row per ModelDiscovered.
        break;
      default: {
        const unreachable: never = decoded;
        throw new TypeError(`project: unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  return {
    providers: sorted(providers),
    models: sorted(models),
    modelProviders: sorted(modelProviders),
    observations: sorted(observations),
    changes: sorted(changes),
    retractions: sorted(retractions),
    modelVersions: sorted(modelVersions),
    modelSightings: sorted(modelSightings),
    verifications: sorted(verifications),
    discrepancies: sorted(discrepancies),
  };
}

// ---- rows from events ----------------------------------------------------------------------------

function modelRow(e: ModelDiscovered): ModelRow {
  const seen = iso(e.fetched_at);
  return {
    model_id: e.model_id,
    canonical_slug: e.canonical_slug,
    name: e.name,
    description: e.description,
    created_at_source: e.created === null ? null : iso(e.created),
    context_length: e.context_length,
    modality: e.architecture?.modality ?? null,
    input_modalities: [...(e.architecture?.input_modalities ?? [])],
    output_modalities: [...(e.architecture?.output_modalities ?? [])],
    tokenizer: e.architecture?.tokenizer ?? null,
    supported_parameters: [...e.supported_parameters],
    top_provider: e.top_provider,
    raw: parseRaw(e.raw_entry),
    expiration_date: e.expiration_date ?? null,
    first_seen_at: seen,
    last_seen_at: seen,
    last_event_id: e.event_id,
  };
}

function versionRow(m: ModelRow): ModelVersionRow {
  // The metadata columns, in models_catalog's order, after the id (COPY and the writers read the keys).
  const { first_seen_at: _first, last_seen_at: _last, last_event_id, ...metadata } = m;
  return { event_id: last_event_id, ...metadata };
}

function providerRow(slug: string, name: string | null, seen: string): ProviderRow {
  return {
    slug,
    name: name ?? slug,
    first_seen_at: seen,
    last_seen_at: seen,
    privacy_policy_url: null,
    terms_of_service_url: null,
    status_page_url: null,
    headquarters: null,
    datacenters: null,
    raw: null,
    catalog_seen_at: null,
  };
}

function providerCatalogRow(e: ProviderDiscovered): ProviderRow {
  const seen = iso(e.fetched_at);
  return {
    slug: e.slug,
    name: e.name,
    first_seen_at: seen,
    last_seen_at: seen,
    privacy_policy_url: e.privacy_policy_url,
    terms_of_service_url: e.terms_of_service_url,
    status_page_url: e.status_page_url,
    headquarters: e.headquarters,
    datacenters: e.datacenters,
    raw: parseRaw(e.raw_entry),
    catalog_seen_at: seen,
  };
}

function emptyEndpointRow(modelId: string, provider: string, seen: string): ModelProviderRow {
  return {
    model_id: modelId,
    provider,
    tag: null,
    context_length: null,
    max_completion_tokens: null,
    quantization: null,
    status: null,
    first_seen_at: seen,
    last_seen_at: seen,
  };
}

function endpointRow(e: RawPriceObserved, provider: string, seen: string): ModelProviderRow {
  const d = e.endpoint;
  return {
    ...emptyEndpointRow(e.model_id, provider, seen),
    tag: d?.tag ?? null,
    context_length: d?.context_length ?? null,
    max_completion_tokens: d?.max_completion_tokens ?? null,
    quantization: d?.quantization ?? null,
    status: d?.status ?? null,
  };
}

/** Sightings of one fact compare by observed_at (ISO text of one format), then caused_by (null as ''). */
function earlierSighting(a: ObservationRow, b: ObservationRow): boolean {
  if (a.observed_at !== b.observed_at) return a.observed_at < b.observed_at;
  return (a.caused_by ?? '') < (b.caused_by ?? '');
}

function observationRow(e: NormalizedPrice): ObservationRow {
  return {
    event_id: e.event_id,
    run_id: e.run_id,
    caused_by: e.caused_by,
    price_key: e.price_key,
    model_id: e.model_id,
    provider: e.provider,
    source_type: e.source_type,
    source_url: e.source_url,
    snapshot_date: e.snapshot_date,
    observed_at: iso(e.observed_at),
    status: e.status,
    unavailable_reason: e.unavailable_reason,
    currency: e.currency,
    ...dimensionValues(e),
    notes: [...e.notes],
    base: (e.base ?? []).map(priceRow),
    tiers: (e.tiers ?? []).map(tierRow),
    unregistered: (e.unregistered ?? []).map((u) => ({
      key: u.key,
      raw_value: u.raw_value,
      unit: u.unit,
      currency: u.currency,
      tier: u.tier,
    })),
    // Old bytes decode with the default null: never an invented hash.
    content_hash: e.content_hash ?? null,
  };
}

/** Every registered dimension's column; one a v1 event lacks is null (it had no such field). */
function dimensionValues(e: NormalizedPrice): MoneyValues {
  return Object.fromEntries(DIMENSION_NAMES.map((d) => [d, e[d] ?? null])) as unknown as MoneyValues;
}

// Fields picked one by one: the jsonb shape is the one the table's CHECK accepts (is_price_tiers),
// whatever a later Avro version adds to the record.
function priceRow(p: DimensionPrice): DimensionPrice {
  return { dimension: p.dimension, amount: p.amount };
}

function tierRow(t: PriceTier): PriceTier {
  return {
    label: t.label,
    prompt_tokens_gte: t.prompt_tokens_gte,
    prompt_tokens_gt: t.prompt_tokens_gt,
    utc_start: t.utc_start,
    utc_end: t.utc_end,
    variant: t.variant,
    other: [...t.other],
    prices: t.prices.map(priceRow),
  };
}

function changeRow(e: PriceChanged): ChangeRow {
  return {
    event_id: e.event_id,
    run_id: e.run_id,
    caused_by: e.caused_by,
    price_key: e.price_key,
    model_id: e.model_id,
    provider: e.provider,
    source_type: e.source_type,
    kind: e.kind,
    changes: e.changes.map((c) => ({ ...c })),
    previous_observed_at: e.previous_observed_at === null ? null : iso(e.previous_observed_at),
    current_observed_at: e.current_observed_at === null ? null : iso(e.current_observed_at),
    snapshot_date: e.snapshot_date,
    alert: e.alert,
    alert_threshold: e.alert_threshold,
    expiration_date: e.expiration_date ?? null,
    occurred_at: iso(e.occurred_at),
    digest: changeDigest(e),
    // Bytes written before PriceChanged v3 decode with the default: learned live.
    backfilled: e.backfilled,
  };
}

function retractionRow(e: PriceChangeRetracted): RetractionRow {
  return {
    event_id: e.event_id,
    price_key: e.price_key,
    retracted_event_id: e.retracted_event_id,
    retracted_digest: e.retracted_digest,
    retracted: e.retracted,
    revision: e.revision,
    caused_by: e.caused_by,
    occurred_at: iso(e.occurred_at),
  };
}

function verificationRow(e: PriceVerified): VerificationRow {
  return {
    event_id: e.event_id,
    run_id: e.run_id,
    model_id: e.model_id,
    provider: e.provider,
    verified_at: iso(e.occurred_at),
    outcome: e.outcome,
    http_status: e.http_status,
    latency_ms: e.latency_ms,
    served_provider: e.served_provider,
    served_model: e.served_model,
    generation_id: e.generation_id,
    error_code: e.error_code,
    error_message: e.error_message,
    is_byok: e.usage?.is_byok ?? null,
    cost: e.usage?.cost ?? null,
    upstream_inference_cost: e.usage?.upstream_inference_cost ?? null,
    usage: e.usage === null ? null : parseRaw(e.usage.raw),
    price_key: e.price_key,
    price_event_id: e.caused_by,
    expected_cost: e.expected_cost,
    charged_cost: e.charged_cost,
    difference: e.difference,
    discrepancy: e.discrepancy,
    price_matches: {
      components: e.components,
      tolerance: { absolute: e.tolerance_absolute, relative: e.tolerance_relative },
    },
    notes: e.not_compared,
  };
}

function discrepancyRow(e: PriceDiscrepancy): DiscrepancyRow {
  return {
    event_id: e.event_id,
    run_id: e.run_id,
    caused_by: e.caused_by,
    occurred_at: iso(e.occurred_at),
    model_id: e.model_id,
    provider: e.provider,
    price_key: e.price_key,
    price_event_id: e.price_event_id,
    expected_cost: e.expected_cost,
    charged_cost: e.charged_cost,
    difference: e.difference,
    relative_difference: e.relative_difference,
    tolerance_absolute: e.tolerance_absolute,
    tolerance_relative: e.tolerance_relative,
    is_byok: e.is_byok,
    generation_id: e.generation_id,
  };
}

// ---- merge rules (the adapters' ON CONFLICT clauses apply the same ones) --------------------------

function mergeModel(a: ModelRow, b: ModelRow): ModelRow {
  const newer = compareSeen(a.last_seen_at, a.last_event_id, b.last_seen_at, b.last_event_id) >= 0 ? a : b;
  return { ...newer, first_seen_at: minIso(a.first_seen_at, b.first_seen_at) };
}

function mergeProvider(a: ProviderRow, b: ProviderRow): ProviderRow {
  const aKnown = a.name !== a.slug;
  const bKnown = b.name !== b.slug;
  // A known name beats the slug placeholder; between two known names the newer one wins (the
  // greater name on a tie, so the result does not depend on arrival order).
  const aWins = a.last_seen_at > b.last_seen_at || (a.last_seen_at === b.last_seen_at && a.name >= b.name);
  const name = aKnown && bKnown ? (aWins ? a.name : b.name) : aKnown ? a.name : b.name;
  // Catalog details: the newer catalog entry wins (the greater event content on a tie, for order independence).
  const details =
    b.catalog_seen_at !== null &&
    (a.catalog_seen_at === null ||
      b.catalog_seen_at > a.catalog_seen_at ||
      (b.catalog_seen_at === a.catalog_seen_at && JSON.stringify(b.raw) > JSON.stringify(a.raw)))
      ? b
      : a;
  return {
    slug: a.slug,
    name,
    first_seen_at: minIso(a.first_seen_at, b.first_seen_at),
    last_seen_at: maxIso(a.last_seen_at, b.last_seen_at),
    privacy_policy_url: details.privacy_policy_url,
    terms_of_service_url: details.terms_of_service_url,
    status_page_url: details.status_page_url,
    headquarters: details.headquarters,
    datacenters: details.datacenters,
    raw: details.raw,
    catalog_seen_at: details.catalog_seen_at,
  };
}

function mergeModelProvider(a: ModelProviderRow, b: ModelProviderRow): ModelProviderRow {
  // Each detail: the newest known value (an event without endpoint details does not erase them).
  const [newer, older] = a.last_seen_at >= b.last_seen_at ? [a, b] : [b, a];
  return {
    model_id: a.model_id,
    provider: a.provider,
    tag: newer.tag ?? older.tag,
    context_length: newer.context_length ?? older.context_length,
    max_completion_tokens: newer.max_completion_tokens ?? older.max_completion_tokens,
    quantization: newer.quantization ?? older.quantization,
    status: newer.status ?? older.status,
    first_seen_at: minIso(a.first_seen_at, b.first_seen_at),
    last_seen_at: newer.last_seen_at,
  };
}

// ---- helpers ------------------------------------------------------------------------------------

function upsert<R>(map: Map<string, R>, key: string, row: R, merge: (a: R, b: R) => R): void {
  const existing = map.get(key);
  map.set(key, existing === undefined ? row : merge(existing, row));
}

/** Rows in key order, so the output (and the adapters' lock order) does not depend on arrival order. */
function sorted<R>(map: Map<string, R>): R[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

function compareSeen(aSeen: string, aId: string, bSeen: string, bId: string): number {
  if (aSeen !== bSeen) return aSeen < bSeen ? -1 : 1;
  return aId === bId ? 0 : aId < bId ? -1 : 1;
}

const minIso = (a: string, b: string): string => (a <= b ? a : b);
const maxIso = (a: string, b: string): string => (a >= b ? a : b);

/** Epoch millis to ISO-8601 UTC; fixed width for years 1970–9999, so strings compare like instants. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parseRaw(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Discovery validated the entry; if its text is not JSON after all, keep it rather than drop it.
    return { unparsed: text };
  }
}
