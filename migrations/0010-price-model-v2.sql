-- Price model v2 (docs/price-model.md): every registered dimension as a money column, and the price's
-- structure (base + tiers) beside the seed's columns, which keep their meaning (the highest value per
-- dimension over the base and every tier).
--
-- Why jsonb documents, not a child table of tiers: a price is one document, read and served whole
-- (price_at, model_pricing_daily, PostgREST select=base,tiers) and never queried tier by tier on the
-- hot path; an observation is an append-only fact, so its structure is written once with the row and
-- needs no second table kept in step under the append-only trigger, nor a join per read. Money stays
-- exact inside the JSON: amounts are JSON strings ("3.00000000"), never JSON numbers. The documents'
-- shape is checked by the CHECK constraints below (is_price_set, is_price_tiers, is_unregistered_set:
-- the "JSON Schema" of NormalizedPrice.base / .tiers / .unregistered), so a malformed document is
-- refused (23514) and dead-lettered by the sink rather than stored. Queryable all the same:
--   select t->>'label', p->>'amount' from price_observations, jsonb_array_elements(tiers) t,
--          jsonb_array_elements(t->'prices') p where p->>'dimension' = 'prompt';
--
-- v1 events (written before the registry) land with the new columns null and base/tiers/unregistered
-- '[]': they carried no structure, and a missing price is never invented.

-- The registered dimensions (schemas/src/dimensions.ts DIMENSION_NAMES, in registry order). A test
-- (services/sink/src/adapters/schema.int.test.ts) proves this list, the money columns, price_at's
-- columns and model_pricing_daily's equal to the registry: adding a dimension is a migration that
-- redefines this function and adds the column.
create or replace function public.price_dimension_names() returns text[]
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select array['prompt', 'completion', 'internal_reasoning', 'input_cache_read', 'input_cache_write', 'request', 'image', 'web_search', 'input_cache_write_1h', 'input_audio', 'input_audio_cache', 'audio_output', 'image_token', 'image_output', 'discount']::text[]
$$;

-- A price set: [{"dimension": <registered name>, "amount": "<decimal, scale 8>"}], each dimension at
-- most once (NormalizedPrice.base, PriceTier.prices).
create or replace function public.is_price_set(prices jsonb) returns boolean
  language plpgsql
  immutable
  parallel safe
  set search_path = ''
as $$
declare
  p jsonb;
  seen text[] := '{}';
begin
  if prices is null or jsonb_typeof(prices) <> 'array' then
    return false;
  end if;
  for p in select e from jsonb_array_elements(prices) as e loop
    -- Type first, in its own test: the operators below raise on a scalar.
    if jsonb_typeof(p) <> 'object' then
      return false;
    end if;
    if not (p ?& array['dimension', 'amount'] and p - array['dimension', 'amount'] = '{}'::jsonb
            and jsonb_typeof(p -> 'dimension') = 'string' and jsonb_typeof(p -> 'amount') = 'string') then
      return false;
    end if;
    if not (p ->> 'dimension') = any (public.price_dimension_names())
       or (p ->> 'dimension') = any (seen)
       or (p ->> 'amount') !~ '^[0-9]{1,10}\.[0-9]{8}$' then
      return false;
    end if;
    seen := seen || (p ->> 'dimension');
  end loop;
  return true;
end
$$;

-- Tiers: [{"label", "prompt_tokens_gte", "prompt_tokens_gt", "utc_start", "utc_end", "variant",
-- "other", "prices"}] exactly (the Avro PriceTier record): a non-empty label unique in the list (a
-- tier's identity), token counts non-negative integers or null, a UTC window of two minutes of the
-- day (0-1439) or none, variant a string or null, other an array of strings, prices a price set.
create or replace function public.is_price_tiers(tiers jsonb) returns boolean
  language plpgsql
  immutable
  parallel safe
  set search_path = ''
as $$
declare
  t jsonb;
  v jsonb;
  k text;
  labels text[] := '{}';
  fields constant text[] := array['label', 'prompt_tokens_gte', 'prompt_tokens_gt', 'utc_start', 'utc_end',
    'variant', 'other', 'prices'];
begin
  if tiers is null or jsonb_typeof(tiers) <> 'array' then
    return false;
  end if;
  for t in select e from jsonb_array_elements(tiers) as e loop
    if jsonb_typeof(t) <> 'object' then
      return false;
    end if;
    if not (t ?& fields and t - fields = '{}'::jsonb) then
      return false;
    end if;
    if jsonb_typeof(t -> 'label') <> 'string' or btrim(t ->> 'label') = '' or (t ->> 'label') = any (labels) then
      return false;
    end if;
    labels := labels || (t ->> 'label');
    foreach k in array array['prompt_tokens_gte', 'prompt_tokens_gt', 'utc_start', 'utc_end'] loop
      v := t -> k;
      continue when jsonb_typeof(v) = 'null';
      if jsonb_typeof(v) <> 'number' or v::text !~ '^[0-9]{1,15}$' then
        return false;
      end if;
      if k like 'utc%' and v::text::bigint > 1439 then
        return false;
      end if;
    end loop;
    -- A window needs both ends (schemas/src/tiers.ts keeps a lone end in `other`).
    if (jsonb_typeof(t -> 'utc_start') = 'null') <> (jsonb_typeof(t -> 'utc_end') = 'null') then
      return false;
    end if;
    if jsonb_typeof(t -> 'variant') not in ('null', 'string') or jsonb_typeof(t -> 'other') <> 'array' then
      return false;
    end if;
    if exists (select from jsonb_array_elements(t -> 'other') as o where jsonb_typeof(o) <> 'string') then
      return false;
    end if;
    if not public.is_price_set(t -> 'prices') then
      return false;
    end if;
  end loop;
  return true;
end
$$;

-- Published components the registry does not know, kept as published:
-- [{"key", "raw_value", "unit", "currency": strings, "tier": string or null}] exactly.
create or replace function public.is_unregistered_set(components jsonb) returns boolean
  language plpgsql
  immutable
  parallel safe
  set search_path = ''
as $$
declare
  c jsonb;
  fields constant text[] := array['key', 'raw_value', 'unit', 'currency', 'tier'];
begin
  if components is null or jsonb_typeof(components) <> 'array' then
    return false;
  end if;
  for c in select e from jsonb_array_elements(components) as e loop
    if jsonb_typeof(c) <> 'object' then
      return false;
    end if;
    if not (c ?& fields and c - fields = '{}'::jsonb
            and jsonb_typeof(c -> 'key') = 'string' and btrim(c ->> 'key') <> ''
            and jsonb_typeof(c -> 'raw_value') = 'string' and jsonb_typeof(c -> 'unit') = 'string'
            and jsonb_typeof(c -> 'currency') = 'string' and jsonb_typeof(c -> 'tier') in ('null', 'string')) then
      return false;
    end if;
  end loop;
  return true;
end
$$;

-- Pure checks over their argument: anyone may run them (the writer must, for the CHECK constraints).
grant execute on function public.price_dimension_names(), public.is_price_set(jsonb),
  public.is_price_tiers(jsonb), public.is_unregistered_set(jsonb)
  to anon, authenticated, service_role;

alter table public.price_observations
  add column if not exists input_cache_write_1h numeric(18, 8),
  add column if not exists input_audio numeric(18, 8),
  add column if not exists input_audio_cache numeric(18, 8),
  add column if not exists audio_output numeric(18, 8),
  add column if not exists image_token numeric(18, 8),
  add column if not exists image_output numeric(18, 8),
  add column if not exists discount numeric(18, 8),
  add column if not exists base jsonb not null default '[]',
  add column if not exists tiers jsonb not null default '[]',
  add column if not exists unregistered jsonb not null default '[]';

do $$
begin
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'public.price_observations'::regclass and conname = 'price_observations_base_shape') then
    alter table public.price_observations
      add constraint price_observations_base_shape check (public.is_price_set(base));
  end if;
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'public.price_observations'::regclass and conname = 'price_observations_tiers_shape') then
    alter table public.price_observations
      add constraint price_observations_tiers_shape check (public.is_price_tiers(tiers));
  end if;
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'public.price_observations'::regclass and conname = 'price_observations_unregistered_shape') then
    alter table public.price_observations
      add constraint price_observations_unregistered_shape check (public.is_unregistered_set(unregistered));
  end if;
end
$$;

comment on column public.price_observations.image is
  'USD per input image. v1 events (before the price model v2) may hold a per-1M-token value here.';
comment on column public.price_observations.image_token is
  'USD per 1M image input tokens (OpenRouter image_token, and image published per token since 2026-02).';
comment on column public.price_observations.base is
  'The price without conditions: [{"dimension", "amount"}], amounts as decimal strings of scale 8. [] for v1 events.';
comment on column public.price_observations.tiers is
  'Conditional prices (docs/price-model.md §2): [{"label", "prompt_tokens_gte", "prompt_tokens_gt", "utc_start", "utc_end", "variant", "other", "prices"}]. [] for v1 events.';
comment on column public.price_observations.unregistered is
  'Published components the dimension registry does not know, kept as published.';

-- PriceChanged v2: each entry of changes carries its tier and change kind already (jsonb); the event
-- itself may carry the expiration date of kind expiring.
alter table public.price_changes add column if not exists expiration_date text;

-- ModelDiscovered v3: merged from the newest event like the other details.
alter table public.models_catalog add column if not exists expiration_date text;

-- The daily view as in 0004, the new dimensions and the structure appended (old columns keep their
-- names and order, so existing readers are untouched).
create or replace view public.model_pricing_daily
  with (security_invoker = true)
as
select distinct on (o.model_id, o.provider, o.source_type, o.snapshot_date)
  o.model_id,
  o.provider,
  o.source_type,
  o.snapshot_date,
  o.price_key,
  o.event_id,
  o.observed_at,
  o.status,
  o.unavailable_reason,
  o.currency,
  o.prompt,
  o.completion,
  o.internal_reasoning,
  o.input_cache_read,
  o.input_cache_write,
  o.request,
  o.image,
  o.web_search,
  o.notes,
  o.source_url,
  o.input_cache_write_1h,
  o.input_audio,
  o.input_audio_cache,
  o.audio_output,
  o.image_token,
  o.image_output,
  o.discount,
  o.base,
  o.tiers
from public.price_observations o
order by o.model_id, o.provider, o.source_type, o.snapshot_date, o.observed_at desc, o.event_id desc;

-- price_at as in 0008, returning every dimension (text), base and tiers (jsonb). A run of identical
-- prices now compares the whole price: status, every dimension, base and tiers, so a move of the base
-- under an unchanged highest tier starts a new effective date. A removed key returns null dimensions
-- and base/tiers '[]' (no price in force). base and tiers are never null: '[]' for v1 observations,
-- whose prices are the columns alone.
--   provider given, source null: every source of that provider (its endpoints and page prices).
-- Its row type gains columns, which Postgres cannot alter under a function returning it: drop both
-- and create them again, once (the type carries `tiers` afterwards, so a second run changes nothing).
do $$
begin
  if not exists (select from pg_catalog.pg_attribute a
                 join pg_catalog.pg_type t on t.typrelid = a.attrelid
                 join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'public' and t.typname = 'price_in_force' and a.attname = 'tiers'
                   and not a.attisdropped) then
    drop function if exists public.price_at(text, timestamptz, text, text);
    drop type if exists public.price_in_force;
    create type public.price_in_force as (
      price_key text,
      model_id text,
      provider text,
      source_type text,
      status text,
      unavailable_reason text,
      effective_from timestamptz,
      observed_at timestamptz,
      event_id text,
      currency text,
      prompt text,
      completion text,
      internal_reasoning text,
      input_cache_read text,
      input_cache_write text,
      request text,
      image text,
      web_search text,
      input_cache_write_1h text,
      input_audio text,
      input_audio_cache text,
      audio_output text,
      image_token text,
      image_output text,
      discount text,
      base jsonb,
      tiers jsonb
    );
  end if;
end
$$;

create or replace function public.price_at(
  model_id text,
  at timestamptz,
  provider text default null,
  source text default 'openrouter_api'
) returns setof public.price_in_force
  language sql
  stable
  security invoker
  set search_path = ''
as $$
  with history as (
    select o.*,
      lag(row(o.status, o.unavailable_reason, o.currency,
                o.prompt, o.completion, o.internal_reasoning, o.input_cache_read, o.input_cache_write,
                o.request, o.image, o.web_search, o.input_cache_write_1h, o.input_audio,
                o.input_audio_cache, o.audio_output, o.image_token, o.image_output, o.discount,
                o.base, o.tiers))
        over (partition by o.price_key order by o.observed_at, o.event_id)
      is distinct from row(o.status, o.unavailable_reason, o.currency,
                           o.prompt, o.completion, o.internal_reasoning, o.input_cache_read, o.input_cache_write,
                           o.request, o.image, o.web_search, o.input_cache_write_1h, o.input_audio,
                           o.input_audio_cache, o.audio_output, o.image_token, o.image_output, o.discount,
                           o.base, o.tiers)
        as starts_run
    from public.price_observations o
    where o.model_id = price_at.model_id
      and (price_at.provider is null or o.provider = price_at.provider)
      and (price_at.source is null or o.source_type = price_at.source)
      and o.observed_at <= price_at.at
  ),
  latest as (
    select distinct on (h.price_key) h.*
    from history h
    order by h.price_key, h.observed_at desc, h.event_id desc
  ),
  run_start as (
    select distinct on (h.price_key) h.price_key, h.observed_at as effective_from
    from history h
    where h.starts_run
    order by h.price_key, h.observed_at desc, h.event_id desc
  ),
  removal as (
    select distinct on (l.price_key) l.price_key, c.snapshot_date::timestamp at time zone 'UTC' as removed_from
    from latest l
    join public.price_changes c
      on c.price_key = l.price_key and c.kind = 'removed' and c.snapshot_date > l.snapshot_date
     and (c.snapshot_date::timestamp at time zone 'UTC') <= price_at.at
    order by l.price_key, c.snapshot_date
  )
  select l.price_key, l.model_id, l.provider, l.source_type,
    case when r.price_key is null then l.status else 'removed' end,
    case when r.price_key is null then l.unavailable_reason end,
    coalesce(r.removed_from, s.effective_from),
    l.observed_at, l.event_id, l.currency,
    case when r.price_key is null then l.prompt::text end,
    case when r.price_key is null then l.completion::text end,
    case when r.price_key is null then l.internal_reasoning::text end,
    case when r.price_key is null then l.input_cache_read::text end,
    case when r.price_key is null then l.input_cache_write::text end,
    case when r.price_key is null then l.request::text end,
    case when r.price_key is null then l.image::text end,
    case when r.price_key is null then l.web_search::text end,
    case when r.price_key is null then l.input_cache_write_1h::text end,
    case when r.price_key is null then l.input_audio::text end,
    case when r.price_key is null then l.input_audio_cache::text end,
    case when r.price_key is null then l.audio_output::text end,
    case when r.price_key is null then l.image_token::text end,
    case when r.price_key is null then l.image_output::text end,
    case when r.price_key is null then l.discount::text end,
    case when r.price_key is null then l.base else '[]'::jsonb end,
    case when r.price_key is null then l.tiers else '[]'::jsonb end
  from latest l
  join run_start s on s.price_key = l.price_key
  left join removal r on r.price_key = l.price_key
  order by l.price_key
$$;

grant usage on type public.price_in_force to anon, authenticated, service_role;
grant execute on function public.price_at(text, timestamptz, text, text) to anon, authenticated, service_role;

-- sink_write_batch as in 0007, writing the new columns: the statements of
-- services/sink/src/adapters/postgres.ts (sinkStatements), reading payload -> '<table>'.
create or replace function public.sink_write_batch(payload jsonb) returns jsonb
  language plpgsql
  volatile
  security invoker
  set search_path = ''
as $$
declare
  n_providers bigint;
  n_models bigint;
  n_model_providers bigint;
  n_observations bigint;
  n_changes bigint;
begin
  insert into public.providers as t (slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at) select slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at from jsonb_to_recordset(coalesce(payload -> 'providers', '[]'::jsonb)) as x(slug text, name text, first_seen_at timestamptz, last_seen_at timestamptz, privacy_policy_url text, terms_of_service_url text, status_page_url text, headquarters text, datacenters jsonb, raw jsonb, catalog_seen_at timestamptz) on conflict (slug) do update set name = case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, privacy_policy_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, terms_of_service_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, status_page_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, headquarters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, datacenters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, raw = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, catalog_seen_at = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at), updated_at = now() where (case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.name, t.privacy_policy_url, t.terms_of_service_url, t.status_page_url, t.headquarters, t.datacenters, t.raw, t.catalog_seen_at, t.first_seen_at, t.last_seen_at);
  get diagnostics n_providers = row_count;

  insert into public.models_catalog as t (model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id) select model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id from jsonb_to_recordset(coalesce(payload -> 'models', '[]'::jsonb)) as x(model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text, first_seen_at timestamptz, last_seen_at timestamptz, last_event_id text) on conflict (model_id) do update set canonical_slug = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.canonical_slug else t.canonical_slug end, name = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.name else t.name end, description = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.description else t.description end, created_at_source = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.created_at_source else t.created_at_source end, context_length = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.context_length else t.context_length end, modality = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.modality else t.modality end, input_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.input_modalities else t.input_modalities end, output_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.output_modalities else t.output_modalities end, tokenizer = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.tokenizer else t.tokenizer end, supported_parameters = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.supported_parameters else t.supported_parameters end, top_provider = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.top_provider else t.top_provider end, raw = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.raw else t.raw end, expiration_date = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.expiration_date else t.expiration_date end, last_event_id = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.last_event_id else t.last_event_id end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) or excluded.first_seen_at < t.first_seen_at;
  get diagnostics n_models = row_count;

  insert into public.model_providers as t (model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at) select model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at from jsonb_to_recordset(coalesce(payload -> 'modelProviders', '[]'::jsonb)) as x(model_id text, provider text, tag text, context_length bigint, max_completion_tokens bigint, quantization text, status integer, first_seen_at timestamptz, last_seen_at timestamptz) on conflict (model_id, provider) do update set tag = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, context_length = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, max_completion_tokens = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, quantization = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, status = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.tag, t.context_length, t.max_completion_tokens, t.quantization, t.status, t.first_seen_at, t.last_seen_at);
  get diagnostics n_model_providers = row_count;

  insert into public.price_observations (event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered from jsonb_to_recordset(coalesce(payload -> 'observations', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, source_url text, snapshot_date date, observed_at timestamptz, status text, unavailable_reason text, currency text, prompt numeric(18, 8), completion numeric(18, 8), internal_reasoning numeric(18, 8), input_cache_read numeric(18, 8), input_cache_write numeric(18, 8), request numeric(18, 8), image numeric(18, 8), web_search numeric(18, 8), input_cache_write_1h numeric(18, 8), input_audio numeric(18, 8), input_audio_cache numeric(18, 8), audio_output numeric(18, 8), image_token numeric(18, 8), image_output numeric(18, 8), discount numeric(18, 8), notes text[], base jsonb, tiers jsonb, unregistered jsonb) on conflict (event_id) do nothing;
  get diagnostics n_observations = row_count;

  insert into public.price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date from jsonb_to_recordset(coalesce(payload -> 'changes', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, kind text, changes jsonb, previous_observed_at timestamptz, current_observed_at timestamptz, snapshot_date date, alert boolean, alert_threshold numeric, expiration_date text) on conflict (event_id) do nothing;
  get diagnostics n_changes = row_count;

  return jsonb_build_object(
    'inserted', jsonb_build_object('observations', n_observations, 'changes', n_changes),
    'upserted', jsonb_build_object('providers', n_providers, 'models', n_models,
      'modelProviders', n_model_providers));
end
$$;

revoke execute on function public.sink_write_batch(jsonb) from public;
revoke execute on function public.sink_write_batch(jsonb) from anon, authenticated;
grant execute on function public.sink_write_batch(jsonb) to service_role;

-- The gateway example (0009): image_cost is USD per input image only. A per-token image price
-- (OpenRouter `image` since 2026-02, the image_token dimension) is per 1M tokens and belongs in
-- image_token_cost_per_1k; copying it into image_cost would bill each image at a per-token rate. The
-- other dimensions added by the price model v2 get their columns too, named <dimension>_cost_per_1k
-- (per-1M prices divided by 1000, exact at scale 11); discount is the source's fraction, kept as is.
alter table public.model_pricing
  add column if not exists input_cache_write_1h_cost_per_1k numeric(20, 11),
  add column if not exists input_audio_cost_per_1k numeric(20, 11),
  add column if not exists input_audio_cache_cost_per_1k numeric(20, 11),
  add column if not exists audio_output_cost_per_1k numeric(20, 11),
  add column if not exists image_token_cost_per_1k numeric(20, 11),
  add column if not exists image_output_cost_per_1k numeric(20, 11),
  add column if not exists discount numeric(18, 8);

comment on column public.model_pricing.image_cost is
  'USD per input image (the image dimension). Never a per-token price: that is image_token_cost_per_1k.';
comment on column public.model_pricing.image_token_cost_per_1k is
  'USD per 1K image input tokens (the image_token dimension / 1000).';
