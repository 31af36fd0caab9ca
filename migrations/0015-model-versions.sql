-- Model metadata history (issue 13): the catalog's metadata as it stood at any time.
--
-- models_catalog keeps only a model's newest metadata, so an answer about a past moment (the API's
-- /v1/models?at=, a past date's export) showed today's names and context lengths. The rule is
-- docs/design.md §3 "Model metadata history":
--
-- model_versions: one row per distinct published entry, keyed by the ModelDiscovered id
--   (sha256(model_id, content_hash): the same entry seen on several days is one id), with
--   models_catalog's metadata columns and raw (the API reads per_request_limits and instruct_type).
-- model_sightings: one row per (model_id, fetched_at): which version that fetch saw.
--
-- The metadata in force at T = the version of the model's latest sighting at or before T (the
-- earliest sighting's when all are after T). A database filled before this migration has no
-- sightings until the topics are replayed into it: readers fall back to models_catalog then.
--
-- Both tables are append-only like price_observations (insert ... on conflict do nothing, the
-- trigger of 0003), readable by anon, authenticated and api_reader, written by the sink
-- (service_role) only. Additive and idempotent: new tables, and sink_write_batch redefined to write
-- them (the other statements unchanged from 0013).

create table if not exists public.model_versions (
  event_id text primary key,
  model_id text not null,
  canonical_slug text,
  name text not null,
  description text,
  created_at_source timestamptz,
  context_length bigint,
  modality text,
  input_modalities text[],
  output_modalities text[],
  tokenizer text,
  supported_parameters text[],
  top_provider jsonb,
  raw jsonb,
  expiration_date text,
  inserted_at timestamptz not null default now()
);

create table if not exists public.model_sightings (
  model_id text not null,
  fetched_at timestamptz not null,
  event_id text not null,
  inserted_at timestamptz not null default now(),
  primary key (model_id, fetched_at)
);

comment on table public.model_versions is
  'One row per distinct published model entry (ModelDiscovered id). Append-only; see docs/design.md §3.';
comment on table public.model_sightings is
  'One row per (model, fetch instant): the model_versions.event_id seen then. Append-only.';

-- The primary key (model_id, fetched_at) is the index the readers' "latest sighting <= at" uses.

create or replace trigger model_versions_append_only
  before update or delete or truncate on public.model_versions
  for each statement execute function public.reject_append_only_change();

create or replace trigger model_sightings_append_only
  before update or delete or truncate on public.model_sightings
  for each statement execute function public.reject_append_only_change();

alter table public.model_versions enable row level security;
alter table public.model_sightings enable row level security;

revoke insert, update, delete, truncate on public.model_versions, public.model_sightings
  from anon, authenticated, api_reader;
revoke update, delete, truncate on public.model_versions, public.model_sightings from service_role;
grant select on public.model_versions, public.model_sightings to anon, authenticated, api_reader;
grant select, insert on public.model_versions, public.model_sightings to service_role;

do $$
declare
  t text;
begin
  foreach t in array array['model_versions', 'model_sightings'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_read') then
      execute format('create policy %I on public.%I for select to anon, authenticated using (true)',
        t || '_read', t);
    end if;
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_api_read') then
      execute format('create policy %I on public.%I for select to api_reader using (true)', t || '_api_read', t);
    end if;
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_writer_select') then
      execute format('create policy %I on public.%I for select to service_role using (true)',
        t || '_writer_select', t);
    end if;
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_writer_insert') then
      execute format('create policy %I on public.%I for insert to service_role with check (true)',
        t || '_writer_insert', t);
    end if;
  end loop;
end
$$;

-- sink_write_batch as in 0013, plus the two history statements: the statements of
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
  n_model_versions bigint;
  n_model_sightings bigint;
begin
  insert into public.providers as t (slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at) select slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at from jsonb_to_recordset(coalesce(payload -> 'providers', '[]'::jsonb)) as x(slug text, name text, first_seen_at timestamptz, last_seen_at timestamptz, privacy_policy_url text, terms_of_service_url text, status_page_url text, headquarters text, datacenters jsonb, raw jsonb, catalog_seen_at timestamptz) on conflict (slug) do update set name = case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, privacy_policy_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, terms_of_service_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, status_page_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, headquarters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, datacenters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, raw = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, catalog_seen_at = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at), updated_at = now() where (case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.name, t.privacy_policy_url, t.terms_of_service_url, t.status_page_url, t.headquarters, t.datacenters, t.raw, t.catalog_seen_at, t.first_seen_at, t.last_seen_at);
  get diagnostics n_providers = row_count;

  insert into public.models_catalog as t (model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id) select model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id from jsonb_to_recordset(coalesce(payload -> 'models', '[]'::jsonb)) as x(model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text, first_seen_at timestamptz, last_seen_at timestamptz, last_event_id text) on conflict (model_id) do update set canonical_slug = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.canonical_slug else t.canonical_slug end, name = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.name else t.name end, description = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.description else t.description end, created_at_source = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.created_at_source else t.created_at_source end, context_length = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.context_length else t.context_length end, modality = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.modality else t.modality end, input_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.input_modalities else t.input_modalities end, output_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.output_modalities else t.output_modalities end, tokenizer = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.tokenizer else t.tokenizer end, supported_parameters = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.supported_parameters else t.supported_parameters end, top_provider = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.top_provider else t.top_provider end, raw = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.raw else t.raw end, expiration_date = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.expiration_date else t.expiration_date end, last_event_id = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.last_event_id else t.last_event_id end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) or excluded.first_seen_at < t.first_seen_at;
  get diagnostics n_models = row_count;

  insert into public.model_providers as t (model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at) select model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at from jsonb_to_recordset(coalesce(payload -> 'modelProviders', '[]'::jsonb)) as x(model_id text, provider text, tag text, context_length bigint, max_completion_tokens bigint, quantization text, status integer, first_seen_at timestamptz, last_seen_at timestamptz) on conflict (model_id, provider) do update set tag = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, context_length = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, max_completion_tokens = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, quantization = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, status = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.tag, t.context_length, t.max_completion_tokens, t.quantization, t.status, t.first_seen_at, t.last_seen_at);
  get diagnostics n_model_providers = row_count;

  insert into public.price_observations (event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered, content_hash) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered, content_hash from jsonb_to_recordset(coalesce(payload -> 'observations', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, source_url text, snapshot_date date, observed_at timestamptz, status text, unavailable_reason text, currency text, prompt numeric(18, 8), completion numeric(18, 8), internal_reasoning numeric(18, 8), input_cache_read numeric(18, 8), input_cache_write numeric(18, 8), request numeric(18, 8), image numeric(18, 8), web_search numeric(18, 8), input_cache_write_1h numeric(18, 8), input_audio numeric(18, 8), input_audio_cache numeric(18, 8), audio_output numeric(18, 8), image_token numeric(18, 8), image_output numeric(18, 8), discount numeric(18, 8), notes text[], base jsonb, tiers jsonb, unregistered jsonb, content_hash text) on conflict (event_id) do nothing;
  get diagnostics n_observations = row_count;

  insert into public.price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at from jsonb_to_recordset(coalesce(payload -> 'changes', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, kind text, changes jsonb, previous_observed_at timestamptz, current_observed_at timestamptz, snapshot_date date, alert boolean, alert_threshold numeric, expiration_date text, occurred_at timestamptz) on conflict (event_id) do nothing;
  get diagnostics n_changes = row_count;

  insert into public.model_versions (event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date) select event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date from jsonb_to_recordset(coalesce(payload -> 'modelVersions', '[]'::jsonb)) as x(event_id text, model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text) on conflict (event_id) do nothing;
  get diagnostics n_model_versions = row_count;

  insert into public.model_sightings (model_id, fetched_at, event_id) select model_id, fetched_at, event_id from jsonb_to_recordset(coalesce(payload -> 'modelSightings', '[]'::jsonb)) as x(model_id text, fetched_at timestamptz, event_id text) on conflict (model_id, fetched_at) do nothing;
  get diagnostics n_model_sightings = row_count;

  return jsonb_build_object(
    'inserted', jsonb_build_object('observations', n_observations, 'changes', n_changes,
      'modelVersions', n_model_versions, 'modelSightings', n_model_sightings),
    'upserted', jsonb_build_object('providers', n_providers, 'models', n_models,
      'modelProviders', n_model_providers));
end
$$;

revoke execute on function public.sink_write_batch(jsonb) from public;
revoke execute on function public.sink_write_batch(jsonb) from anon, authenticated;
grant execute on function public.sink_write_batch(jsonb) to service_role;
