-- The providers catalog (ProviderDiscovered from GET /api/v1/providers) now reaches the providers
-- table: policy URLs, headquarters, datacenters and the entry as published, with the time of the
-- catalog fetch they come from, so the newest catalog entry wins whatever the order of events.
alter table public.providers add column if not exists catalog_seen_at timestamptz;

-- sink_write_batch as in 0006-sink-functions.sql, with the providers statement writing the catalog
-- details (the same statement as services/sink/src/adapters/postgres.ts, sinkStatements).
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

  insert into public.models_catalog as t (model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, first_seen_at, last_seen_at, last_event_id)
    select model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, first_seen_at, last_seen_at, last_event_id from jsonb_to_recordset(coalesce(payload -> 'models', '[]'::jsonb)) as x(model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, first_seen_at timestamptz, last_seen_at timestamptz, last_event_id text)
    on conflict (model_id)
    do update set canonical_slug = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.canonical_slug else t.canonical_slug end,
      name = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.name else t.name end,
      description = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.description else t.description end,
      created_at_source = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.created_at_source else t.created_at_source end,
      context_length = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.context_length else t.context_length end,
      modality = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.modality else t.modality end,
      input_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.input_modalities else t.input_modalities end,
      output_modalities = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.output_modalities else t.output_modalities end,
      tokenizer = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.tokenizer else t.tokenizer end,
      supported_parameters = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.supported_parameters else t.supported_parameters end,
      top_provider = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.top_provider else t.top_provider end,
      raw = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.raw else t.raw end,
      last_event_id = case when (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) then excluded.last_event_id else t.last_event_id end,
      first_seen_at = least(t.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at)
    where (excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, '')) or excluded.first_seen_at < t.first_seen_at;
  get diagnostics n_models = row_count;

  insert into public.model_providers as t (model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at)
    select model_id, provider, tag, context_length, max_completion_tokens, quantization, status, first_seen_at, last_seen_at from jsonb_to_recordset(coalesce(payload -> 'modelProviders', '[]'::jsonb)) as x(model_id text, provider text, tag text, context_length bigint, max_completion_tokens bigint, quantization text, status integer, first_seen_at timestamptz, last_seen_at timestamptz)
    on conflict (model_id, provider)
    do update set tag = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end,
      context_length = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end,
      max_completion_tokens = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end,
      quantization = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end,
      status = case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end,
      first_seen_at = least(t.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at)
    where (case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.tag, t.tag) else coalesce(t.tag, excluded.tag) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.context_length, t.context_length) else coalesce(t.context_length, excluded.context_length) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.max_completion_tokens, t.max_completion_tokens) else coalesce(t.max_completion_tokens, excluded.max_completion_tokens) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.quantization, t.quantization) else coalesce(t.quantization, excluded.quantization) end, case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.status, t.status) else coalesce(t.status, excluded.status) end, least(t.first_seen_at, excluded.first_seen_at), greatest(t.last_seen_at, excluded.last_seen_at)) is distinct from (t.tag, t.context_length, t.max_completion_tokens, t.quantization, t.status, t.first_seen_at, t.last_seen_at);
  get diagnostics n_model_providers = row_count;

  insert into public.price_observations (event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, notes)
    select event_id, run_id, caused_by, price_key, model_id, provider, source_type, source_url, snapshot_date, observed_at, status, unavailable_reason, currency, prompt, completion, internal_reasoning, input_cache_read, input_cache_write, request, image, web_search, notes from jsonb_to_recordset(coalesce(payload -> 'observations', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, source_url text, snapshot_date date, observed_at timestamptz, status text, unavailable_reason text, currency text, prompt numeric(18, 8), completion numeric(18, 8), internal_reasoning numeric(18, 8), input_cache_read numeric(18, 8), input_cache_write numeric(18, 8), request numeric(18, 8), image numeric(18, 8), web_search numeric(18, 8), notes text[])
    on conflict (event_id) do nothing;
  get diagnostics n_observations = row_count;

  insert into public.price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold)
    select event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold from jsonb_to_recordset(coalesce(payload -> 'changes', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, kind text, changes jsonb, previous_observed_at timestamptz, current_observed_at timestamptz, snapshot_date date, alert boolean, alert_threshold numeric)
    on conflict (event_id) do nothing;
  get diagnostics n_changes = row_count;

  return jsonb_build_object(
    'inserted', jsonb_build_object('observations', n_observations, 'changes', n_changes),
    'upserted', jsonb_build_object('providers', n_providers, 'models', n_models,
      'modelProviders', n_model_providers));
end
$$;

-- Only the writer may call it (functions are executable by PUBLIC by default).
revoke execute on function public.sink_write_batch(jsonb) from public;
revoke execute on function public.sink_write_batch(jsonb) from anon, authenticated;
grant execute on function public.sink_write_batch(jsonb) to service_role;
