-- The verifier's probes and discrepancies (issue 16; services/verifier/README.md).
--
-- byok_verifications (0002, the original design's "a record that a provider's prices were checked")
--   becomes the table of PriceVerified events: one row per probe, keyed by the event id (unique; rows
--   written before this migration, if any, keep a null id), with the outcome, the usage, what was
--   charged (cost, upstream_inference_cost, BYOK flag), what the usage costs at the price in force and
--   the difference. price_matches holds the comparison's components and tolerance, notes why no
--   comparison was made. Money is unscaled numeric: a charge has up to ~20 decimals and stays exact.
-- price_discrepancies: one row per PriceDiscrepancy (a charge beyond the tolerance), keyed by its id.
--
-- Both are history: append-only (the trigger of 0003), readable by anon, authenticated and
-- api_reader, written by the sink (service_role) only. Additive and idempotent: columns, tables,
-- indexes and policies if not exists, triggers and sink_write_batch created or replaced (the other
-- statements unchanged from 0017).

alter table public.byok_verifications
  add column if not exists event_id text,
  add column if not exists run_id text,
  add column if not exists outcome text,
  add column if not exists http_status integer,
  add column if not exists latency_ms bigint,
  add column if not exists served_provider text,
  add column if not exists served_model text,
  add column if not exists generation_id text,
  add column if not exists error_code text,
  add column if not exists error_message text,
  add column if not exists is_byok boolean,
  add column if not exists cost numeric,
  add column if not exists upstream_inference_cost numeric,
  add column if not exists usage jsonb,
  add column if not exists price_key text,
  add column if not exists price_event_id text,
  add column if not exists expected_cost numeric,
  add column if not exists charged_cost numeric,
  add column if not exists difference numeric,
  add column if not exists discrepancy boolean not null default false;

create unique index if not exists byok_verifications_event_id_key on public.byok_verifications (event_id);

comment on table public.byok_verifications is
  'One row per verifier probe (PriceVerified, services/verifier): what OpenRouter charged for a pinned call and what its usage costs at the price in force. Append-only.';
comment on column public.byok_verifications.cost is
  'usage.cost in USD: what OpenRouter charged (under BYOK its fee only).';
comment on column public.byok_verifications.upstream_inference_cost is
  'usage.cost_details.upstream_inference_cost in USD: what the provider billed (null when not reported).';
comment on column public.byok_verifications.charged_cost is
  'cost, or upstream_inference_cost under BYOK: the amount compared with expected_cost.';

create table if not exists public.price_discrepancies (
  event_id text primary key,
  run_id text not null,
  caused_by text not null,
  occurred_at timestamptz not null,
  model_id text not null,
  provider text not null,
  price_key text not null,
  price_event_id text,
  expected_cost numeric not null,
  charged_cost numeric not null,
  difference numeric not null,
  relative_difference numeric,
  tolerance_absolute numeric not null,
  tolerance_relative numeric not null,
  is_byok boolean,
  generation_id text,
  inserted_at timestamptz not null default now()
);

comment on table public.price_discrepancies is
  'One row per PriceDiscrepancy: a probe charged beyond the tolerance from its usage at the price in force. Append-only.';

create index if not exists price_discrepancies_model_provider_idx
  on public.price_discrepancies (model_id, provider, occurred_at desc);

create or replace trigger byok_verifications_append_only
  before update or delete or truncate on public.byok_verifications
  for each statement execute function public.reject_append_only_change();

create or replace trigger price_discrepancies_append_only
  before update or delete or truncate on public.price_discrepancies
  for each statement execute function public.reject_append_only_change();

alter table public.price_discrepancies enable row level security;

revoke insert, update, delete, truncate on public.price_discrepancies from anon, authenticated, api_reader;
revoke update, delete, truncate on public.byok_verifications, public.price_discrepancies from service_role;
grant select on public.byok_verifications, public.price_discrepancies to anon, authenticated, api_reader;
grant select, insert on public.price_discrepancies to service_role;

do $$
declare
  t text;
begin
  foreach t in array array['byok_verifications', 'price_discrepancies'] loop
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

-- sink_write_batch as in 0017, plus the verifications and discrepancies statements: the statements
-- of services/sink/src/adapters/postgres.ts (sinkStatements), reading payload -> '<table>'.
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
  n_retractions bigint;
  n_model_versions bigint;
  n_model_sightings bigint;
  n_verifications bigint;
  n_discrepancies bigint;
begin
  insert into public.providers as t (slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at) select slug, name, first_seen_at, last_seen_at, privacy_policy_url, terms_of_service_url, status_page_url, headquarters, datacenters, raw, catalog_seen_at from jsonb_to_recordset(coalesce(payload -> 'providers', '[]'::jsonb)) as x(slug text, name text, first_seen_at timestamptz, last_seen_at timestamptz, privacy_policy_url text, terms_of_service_url text, status_page_url text, headquarters text, datacenters jsonb, raw jsonb, catalog_seen_at timestamptz) on conflict (slug) do update set name = case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, privacy_policy_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, terms_of_service_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, status_page_url = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, headquarters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, datacenters = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, raw = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, catalog_seen_at = case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at), updated_at = now() where (case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) then excluded.name else t.name end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.privacy_policy_url else t.privacy_policy_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.terms_of_service_url else t.terms_of_service_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.status_page_url else t.status_page_url end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.headquarters else t.headquarters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.datacenters else t.datacenters end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.raw else t.raw end, case when excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, ''))) then excluded.catalog_seen_at else t.catalog_seen_at end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.name, t.privacy_policy_url, t.terms_of_service_url, t.status_page_url, t.headquarters, t.datacenters, t.raw, t.catalog_seen_at, t.first_seen_at, t.last_seen_at);
  get diagnostics n_providers = row_count;

  insert into public.models_catalog as t (model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id) select model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date, first_seen_at, last_seen_at, last_event_id from jsonb_to_recordset(coalesce(payload -> 'models', '[]'::jsonb)) as x(model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text, first_seen_at timestamptz, last_seen_at timestamptz, last_event_id text) on conflict (model_id) do update set canonical_slug = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.canonical_slug else t.canonical_slug end, name = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.name else t.name end, description = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.description else t.description end, created_at_source = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.created_at_source else t.created_at_source end, context_length = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.context_length else t.context_length end, modality = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.modality else t.modality end, input_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.input_modalities else t.input_modalities end, output_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.output_modalities else t.output_modalities end, tokenizer = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.tokenizer else t.tokenizer end, supported_parameters = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.supported_parameters else t.supported_parameters end, top_provider = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.top_provider else t.top_provider end, raw = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.raw else t.raw end, expiration_date = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.expiration_date else t.expiration_date end, last_event_id = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.last_event_id else t.last_event_id end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) or excluded.first_seen_at < t.first_seen_at;
  get diagnostics n_models = row_count;

  insert into public.model_providers as t (model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at) select model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at from jsonb_to_recordset(coalesce(payload -> 'modelProviders', '[]'::jsonb)) as x(model_id text, provider text, tag text, context_length bigint, max_completion_tokens bigint, quantization text, status integer, first_seen_at timestamptz, last_seen_at timestamptz) on conflict (model_id, provider) do update set tag = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, context_length = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, max_completion_tokens = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, quantization = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, status = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, first_seen_at = least(t.first_seen_at, excluded.first_seen_at), last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at) where (case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.tag, t.context_length, t.max_completion_tokens, t.quantization, t.status, t.first_seen_at, t.last_seen_at);
  get diagnostics n_model_providers = row_count;

  insert into public.price_observations as t (event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered, content_hash) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, input_cache_write_1h, input_audio, input_audio_cache, audio_output, image_token, image_output, discount, notes, base, tiers, unregistered, content_hash from jsonb_to_recordset(coalesce(payload -> 'observations', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, source_url text, snapshot_date date, observed_at timestamptz, status text, unavailable_reason text, currency text, prompt numeric(18, 8), completion numeric(18, 8), internal_reasoning numeric(18, 8), input_cache_read numeric(18, 8), input_cache_write numeric(18, 8), request numeric(18, 8), image numeric(18, 8), web_search numeric(18, 8), input_cache_write_1h numeric(18, 8), input_audio numeric(18, 8), input_audio_cache numeric(18, 8), audio_output numeric(18, 8), image_token numeric(18, 8), image_output numeric(18, 8), discount numeric(18, 8), notes text[], base jsonb, tiers jsonb, unregistered jsonb, content_hash text) on conflict (event_id) do update set run_id = excluded.run_id, caused_by = excluded.caused_by, source_url = excluded.source_url, observed_at = excluded.observed_at, content_hash = excluded.content_hash where (excluded.observed_at, coalesce(excluded.caused_by, '') collate "C") < (t.observed_at, coalesce(t.caused_by, '') collate "C");
  get diagnostics n_observations = row_count;

  insert into public.price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at, digest, backfilled) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at, digest, backfilled from jsonb_to_recordset(coalesce(payload -> 'changes', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, kind text, changes jsonb, previous_observed_at timestamptz, current_observed_at timestamptz, snapshot_date date, alert boolean, alert_threshold numeric, expiration_date text, occurred_at timestamptz, digest text, backfilled boolean) where not exists (select from public.price_changes p where p.event_id = x.event_id and p.digest is null and (p.run_id, p.caused_by, p.price_key, p.model_id, p.provider, p.source_type, p.kind, p.changes, p.previous_observed_at, p.current_observed_at, p.snapshot_date, p.alert, p.alert_threshold, p.expiration_date) is not distinct from (x.run_id, x.caused_by, x.price_key, x.model_id, x.provider, x.source_type, x.kind, x.changes, x.previous_observed_at, x.current_observed_at, x.snapshot_date, x.alert, x.alert_threshold, x.expiration_date) and (p.occurred_at is null or p.occurred_at = x.occurred_at)) on conflict (event_id, digest) do nothing;
  get diagnostics n_changes = row_count;

  insert into public.price_change_retractions (event_id, price_key, retracted_event_id, retracted_digest, retracted, revision, caused_by, occurred_at) select event_id, price_key, retracted_event_id, retracted_digest, retracted, revision, caused_by, occurred_at from jsonb_to_recordset(coalesce(payload -> 'retractions', '[]'::jsonb)) as x(event_id text, price_key text, retracted_event_id text, retracted_digest text, retracted boolean, revision bigint, caused_by text, occurred_at timestamptz) on conflict (event_id) do nothing;
  get diagnostics n_retractions = row_count;

  insert into public.model_versions (event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date) select event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date from jsonb_to_recordset(coalesce(payload -> 'modelVersions', '[]'::jsonb)) as x(event_id text, model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text) on conflict (event_id) do nothing;
  get diagnostics n_model_versions = row_count;

  insert into public.model_sightings (model_id, fetched_at, event_id) select model_id, fetched_at, event_id from jsonb_to_recordset(coalesce(payload -> 'modelSightings', '[]'::jsonb)) as x(model_id text, fetched_at timestamptz, event_id text) on conflict (model_id, fetched_at) do nothing;
  get diagnostics n_model_sightings = row_count;

  insert into public.byok_verifications (event_id, run_id, model_id, provider, verified_at, outcome, http_status, latency_ms, served_provider, served_model, generation_id, error_code, error_message, is_byok, cost, upstream_inference_cost, usage, price_key, price_event_id, expected_cost, charged_cost, difference, discrepancy, price_matches, notes) select event_id, run_id, model_id, provider, verified_at, outcome, http_status, latency_ms, served_provider, served_model, generation_id, error_code, error_message, is_byok, cost, upstream_inference_cost, usage, price_key, price_event_id, expected_cost, charged_cost, difference, discrepancy, price_matches, notes from jsonb_to_recordset(coalesce(payload -> 'verifications', '[]'::jsonb)) as x(event_id text, run_id text, model_id text, provider text, verified_at timestamptz, outcome text, http_status integer, latency_ms bigint, served_provider text, served_model text, generation_id text, error_code text, error_message text, is_byok boolean, cost numeric, upstream_inference_cost numeric, usage jsonb, price_key text, price_event_id text, expected_cost numeric, charged_cost numeric, difference numeric, discrepancy boolean, price_matches jsonb, notes text) on conflict (event_id) do nothing;
  get diagnostics n_verifications = row_count;

  insert into public.price_discrepancies (event_id, run_id, caused_by, occurred_at, model_id, provider, price_key, price_event_id, expected_cost, charged_cost, difference, relative_difference, tolerance_absolute, tolerance_relative, is_byok, generation_id) select event_id, run_id, caused_by, occurred_at, model_id, provider, price_key, price_event_id, expected_cost, charged_cost, difference, relative_difference, tolerance_absolute, tolerance_relative, is_byok, generation_id from jsonb_to_recordset(coalesce(payload -> 'discrepancies', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, occurred_at timestamptz, model_id text, provider text, price_key text, price_event_id text, expected_cost numeric, charged_cost numeric, difference numeric, relative_difference numeric, tolerance_absolute numeric, tolerance_relative numeric, is_byok boolean, generation_id text) on conflict (event_id) do nothing;
  get diagnostics n_discrepancies = row_count;

  return jsonb_build_object(
    'inserted', jsonb_build_object('observations', n_observations, 'changes', n_changes,
      'retractions', n_retractions, 'modelVersions', n_model_versions,
      'modelSightings', n_model_sightings, 'verifications', n_verifications,
      'discrepancies', n_discrepancies),
    'upserted', jsonb_build_object('providers', n_providers, 'models', n_models,
      'modelProviders', n_model_providers));
end
$$;
revoke execute on function public.sink_write_batch(jsonb) from public;
revoke execute on function public.sink_write_batch(jsonb) from anon, authenticated;
grant execute on function public.sink_write_batch(jsonb) to service_role;
