-- Valid time in the tables (issue 14; docs/price-model.md §4.3-4.5, docs/design.md §3, the plan in
-- docs/valid-time-wiring.md §3).
--
-- price_changes: one row per version of a PriceChanged, (event_id, digest), instead of one per event
--   id: a late input can give an id a second version (another previous_observed_at), and history keeps
--   every version it was sent. `digest` is changeDigest (@llmpt/schemas), computed by the sink;
--   `backfilled` says how the change was learned (§4.5), outside the id and the digest. Rows written
--   before this migration keep a null digest (the append-only trigger forbids filling it in; a replay
--   into a fresh database fills every digest); before it an id had one version, so the unique key
--   treats nulls as not distinct (such an id stays unique), and the sink does not insert a change
--   again whose id has a null-digest row of the same content (sink_write_batch below).
-- price_change_retractions: one row per PriceChangeRetracted (§4.4), append-only, keyed by its id.
-- price_changes_in_force: the rows whose version is in force: for a version, the retraction row with
--   the highest revision decides (a tie: retracted wins); none: in force. A null-digest row matches the
--   rows of its id whose digest is that of no other stored row of the id. security_invoker, so the
--   reader's row-level security applies. Every reader of changes reads it (the API, the exports,
--   price_at's removal status below, the notifier).
-- webhook_subscriptions.include_backfilled: the notifier skips backfilled changes unless a
--   subscription asks for them (docs/valid-time-wiring.md §6).
--
-- Idempotent: columns and tables if not exists, constraints and policies guarded, the view, price_at
-- and sink_write_batch created or replaced.

alter table public.price_changes add column if not exists digest text;
alter table public.price_changes add column if not exists backfilled boolean not null default false;

comment on column public.price_changes.digest is
  'The version''s digest (docs/price-model.md §4.3, changeDigest of @llmpt/schemas): sha256 hex. Null for rows written before migration 0016 (a replay fills it).';
comment on column public.price_changes.backfilled is
  'The change was not learned live (docs/price-model.md §4.5): decided late or caused by a backfill run. Not part of the id or the digest.';

-- The new key first, then the old one goes: the table is never without a unique key on event_id.
-- Nothing references price_changes(event_id) (webhook_deliveries.event_id is a plain column).
do $$
begin
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'public.price_changes'::regclass and conname = 'price_changes_version_key') then
    alter table public.price_changes
      add constraint price_changes_version_key unique nulls not distinct (event_id, digest);
  end if;
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'public.price_changes'::regclass and conname = 'price_changes_digest_check') then
    alter table public.price_changes
      add constraint price_changes_digest_check check (digest ~ '^[0-9a-f]{64}$');
  end if;
end
$$;
alter table public.price_changes drop constraint if exists price_changes_pkey;

create table if not exists public.price_change_retractions (
  event_id text primary key,
  price_key text not null,
  retracted_event_id text not null,
  retracted_digest text not null check (retracted_digest ~ '^[0-9a-f]{64}$'),
  retracted boolean not null,
  revision bigint not null check (revision >= 0),
  caused_by text not null,
  occurred_at timestamptz not null,
  inserted_at timestamptz not null default now()
);

comment on table public.price_change_retractions is
  'One row per PriceChangeRetracted (docs/price-model.md §4.4): for a version of a change, the row with the highest revision says whether it is in force. Append-only.';

-- The view's probe: a version's rows, highest revision first.
create index if not exists price_change_retractions_version_idx
  on public.price_change_retractions (retracted_event_id, retracted_digest, revision);

create or replace trigger price_change_retractions_append_only
  before update or delete or truncate on public.price_change_retractions
  for each statement execute function public.reject_append_only_change();

alter table public.price_change_retractions enable row level security;

-- Like price_changes (0005, 0011, 0014): read by the readers, the API and the notifier, written by
-- the sink (service_role) only, never updated.
revoke insert, update, delete, truncate on public.price_change_retractions
  from anon, authenticated, api_reader, webhook_notifier;
revoke update, delete, truncate on public.price_change_retractions from service_role;
grant select on public.price_change_retractions to anon, authenticated, api_reader, webhook_notifier;
grant select, insert on public.price_change_retractions to service_role;

do $$
declare
  p record;
begin
  for p in select * from (values
      ('price_change_retractions_read', 'select', 'anon, authenticated'),
      ('price_change_retractions_api_read', 'select', 'api_reader'),
      ('price_change_retractions_notifier_read', 'select', 'webhook_notifier'),
      ('price_change_retractions_writer_select', 'select', 'service_role'),
      ('price_change_retractions_writer_insert', 'insert', 'service_role'))
      as t(name, cmd, roles) loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = 'price_change_retractions'
                     and policyname = p.name) then
      if p.cmd = 'select' then
        execute format('create policy %I on public.price_change_retractions for select to %s using (true)',
          p.name, p.roles);
      else
        execute format('create policy %I on public.price_change_retractions for insert to %s with check (true)',
          p.name, p.roles);
      end if;
    end if;
  end loop;
end
$$;

create or replace view public.price_changes_in_force
  with (security_invoker = true)
as
  select c.*
    from public.price_changes c
   where not coalesce((
     select r.retracted
       from public.price_change_retractions r
      where r.retracted_event_id = c.event_id
        and (r.retracted_digest = c.digest
             or (c.digest is null
                 and not exists (select from public.price_changes v
                                  where v.event_id = c.event_id and v.digest = r.retracted_digest)))
      order by r.revision desc, r.retracted desc
      limit 1), false);

comment on view public.price_changes_in_force is
  'The price_changes rows whose version is in force (docs/price-model.md §4.4, docs/design.md §3). Readers of changes read this, not the table.';

-- Read like price_changes; written by nobody (the view would pass a write on to the table).
revoke insert, update, delete, truncate on public.price_changes_in_force
  from anon, authenticated, service_role, api_reader, webhook_notifier;
grant select on public.price_changes_in_force
  to anon, authenticated, service_role, api_reader, webhook_notifier;

-- price_at as in 0010, the removal status read from the versions in force: same signature, same
-- results when nothing is retracted. Its grants (0010, 0011) stay with the function.
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
    join public.price_changes_in_force c
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

alter table public.webhook_subscriptions
  add column if not exists include_backfilled boolean not null default false;
comment on column public.webhook_subscriptions.include_backfilled is
  'Deliver backfilled changes too (docs/price-model.md §4.5); by default the notifier skips them.';
-- webhook_admin (the API's subscription routes, the CLI) sets it when it makes a subscription and
-- reads it back (0014 grants that role column by column); webhook_notifier reads the whole table.
grant select (include_backfilled), insert (include_backfilled) on public.webhook_subscriptions to webhook_admin;

-- sink_write_batch as in 0015, the changes statement writing digest and backfilled (on the version
-- key, skipping a pre-0016 row's redelivery) and a retractions statement: the statements of
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
  n_retractions bigint;
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

  insert into public.price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at, digest, backfilled) select event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind, changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold, expiration_date, occurred_at, digest, backfilled from jsonb_to_recordset(coalesce(payload -> 'changes', '[]'::jsonb)) as x(event_id text, run_id text, caused_by text, price_key text, model_id text, provider text, source_type text, kind text, changes jsonb, previous_observed_at timestamptz, current_observed_at timestamptz, snapshot_date date, alert boolean, alert_threshold numeric, expiration_date text, occurred_at timestamptz, digest text, backfilled boolean) where not exists (select from public.price_changes p where p.event_id = x.event_id and p.digest is null and (p.run_id, p.caused_by, p.price_key, p.model_id, p.provider, p.source_type, p.kind, p.changes, p.previous_observed_at, p.current_observed_at, p.snapshot_date, p.alert, p.alert_threshold, p.expiration_date) is not distinct from (x.run_id, x.caused_by, x.price_key, x.model_id, x.provider, x.source_type, x.kind, x.changes, x.previous_observed_at, x.current_observed_at, x.snapshot_date, x.alert, x.alert_threshold, x.expiration_date) and (p.occurred_at is null or p.occurred_at = x.occurred_at)) on conflict (event_id, digest) do nothing;
  get diagnostics n_changes = row_count;

  insert into public.price_change_retractions (event_id, price_key, retracted_event_id, retracted_digest, retracted, revision, caused_by, occurred_at) select event_id, price_key, retracted_event_id, retracted_digest, retracted, revision, caused_by, occurred_at from jsonb_to_recordset(coalesce(payload -> 'retractions', '[]'::jsonb)) as x(event_id text, price_key text, retracted_event_id text, retracted_digest text, retracted boolean, revision bigint, caused_by text, occurred_at timestamptz) on conflict (event_id) do nothing;
  get diagnostics n_retractions = row_count;

  insert into public.model_versions (event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date) select event_id, model_id, canonical_slug, name, description, created_at_source, context_length, modality, input_modalities, output_modalities, tokenizer, supported_parameters, top_provider, raw, expiration_date from jsonb_to_recordset(coalesce(payload -> 'modelVersions', '[]'::jsonb)) as x(event_id text, model_id text, canonical_slug text, name text, description text, created_at_source timestamptz, context_length bigint, modality text, input_modalities text[], output_modalities text[], tokenizer text, supported_parameters text[], top_provider jsonb, raw jsonb, expiration_date text) on conflict (event_id) do nothing;
  get diagnostics n_model_versions = row_count;

  insert into public.model_sightings (model_id, fetched_at, event_id) select model_id, fetched_at, event_id from jsonb_to_recordset(coalesce(payload -> 'modelSightings', '[]'::jsonb)) as x(model_id text, fetched_at timestamptz, event_id text) on conflict (model_id, fetched_at) do nothing;
  get diagnostics n_model_sightings = row_count;

  return jsonb_build_object(
    'inserted', jsonb_build_object('observations', n_observations, 'changes', n_changes,
      'retractions', n_retractions, 'modelVersions', n_model_versions,
      'modelSightings', n_model_sightings),
    'upserted', jsonb_build_object('providers', n_providers, 'models', n_models,
      'modelProviders', n_model_providers));
end
$$;

revoke execute on function public.sink_write_batch(jsonb) from public;
revoke execute on function public.sink_write_batch(jsonb) from anon, authenticated;
grant execute on function public.sink_write_batch(jsonb) to service_role;
