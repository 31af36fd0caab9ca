-- Price at time T, for consumers pricing a call made in the past: the prices in force at `at` for a
-- model, from the append-only observation history. Effective-dated: a price is in force from its
-- first observation until the next different one (status or any dimension), so the values are those
-- of the latest observation at or before `at`, and effective_from is where that run of identical
-- observations began. Before a key's first observation there is no row: unknown, never a guess.
-- A key that a later run no longer listed (PriceChanged kind=removed) returns status 'removed' with
-- null prices from the start (UTC midnight) of that run's snapshot day: the day's catalog lacked it.
--   provider null: every provider of the source (the routed openrouter_api price has no provider).
--   source null: every source.
-- Money is text ("3.00000000", USD per 1M tokens or per unit): PostgREST would turn numeric into a
-- JSON number. Call it as POST /rest/v1/rpc/price_at {"model_id": ..., "at": ...}.

do $$
begin
  if not exists (select from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'public' and t.typname = 'price_in_force') then
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
      web_search text
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
      lag(row(o.status, o.unavailable_reason, o.currency, o.prompt, o.completion, o.internal_reasoning,
              o.input_cache_read, o.input_cache_write, o.request, o.image, o.web_search))
        over (partition by o.price_key order by o.observed_at, o.event_id)
      is distinct from row(o.status, o.unavailable_reason, o.currency, o.prompt, o.completion,
                           o.internal_reasoning, o.input_cache_read, o.input_cache_write, o.request,
                           o.image, o.web_search) as starts_run
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
    case when r.price_key is null then l.web_search::text end
  from latest l
  join run_start s on s.price_key = l.price_key
  left join removal r on r.price_key = l.price_key
  order by l.price_key
$$;

-- Read-only over tables every API role may read: callable by all of them.
grant usage on type public.price_in_force to anon, authenticated, service_role;
grant execute on function public.price_at(text, timestamptz, text, text) to anon, authenticated, service_role;

-- Index for the lookup by model and time (0003 indexes by key and by model and day).
create index if not exists price_observations_model_observed_idx
  on public.price_observations (model_id, observed_at);
