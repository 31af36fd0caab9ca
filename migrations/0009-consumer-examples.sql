-- Examples for downstream consumers (packages/consumer), not used by the pipeline itself:
--  1. consumer_processed_events: the event ids a PriceChanged subscriber has handled (dedupe store).
--  2. model_pricing: a gateway-style pricing table kept in sync from PriceChanged, one row per model
--     name the gateway's users send (aliases included), prices per 1K tokens and per request.
--  3. usage_calls + usage_daily / usage_monthly: a cost ledger of calls and its summaries per model.
-- Money: the pipeline's per-1M prices divided by 1000 are exact at scale 11; call costs are exact
-- (unconstrained numeric). Through PostgREST select them as text (`cost::text`).

create table if not exists public.consumer_processed_events (
  consumer text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

create table if not exists public.model_pricing (
  -- The name a gateway user sends: a model id (openai/gpt-4o) or a custom alias of one.
  model_name text primary key,
  -- The real model whose OpenRouter routed price (source openrouter_api) this row mirrors.
  model_id text not null,
  input_cost_per_1k numeric(20, 11),
  output_cost_per_1k numeric(20, 11),
  reasoning_cost_per_1k numeric(20, 11),
  cache_read_cost_per_1k numeric(20, 11),
  cache_write_cost_per_1k numeric(20, 11),
  request_cost numeric(18, 8),
  web_search_cost numeric(18, 8),
  image_cost numeric(18, 8),
  -- false once the catalog stopped listing the model (PriceChanged kind=removed); prices kept.
  listed boolean not null default true,
  -- occurred_at of the last PriceChanged applied: older events never overwrite newer ones.
  last_event_at timestamptz not null,
  last_event_id text not null,
  updated_at timestamptz not null default now()
);

create index if not exists model_pricing_model_idx on public.model_pricing (model_id);

create table if not exists public.usage_calls (
  -- The caller's id of the call (e.g. the provider's response id): recording a call twice is a no-op.
  call_id text primary key,
  called_at timestamptz not null,
  model_id text not null,
  provider text,
  prompt_tokens bigint not null default 0,
  completion_tokens bigint not null default 0,
  reasoning_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_write_tokens bigint not null default 0,
  -- USD charged: the provider's reported cost when it gave one, else the catalog computation.
  cost numeric not null,
  cost_source text not null check (cost_source in ('reported', 'catalog')),
  catalog_cost numeric,
  -- The price_observations event whose prices were used (price_at's event_id), when known.
  price_event_id text,
  inserted_at timestamptz not null default now()
);

create index if not exists usage_calls_model_called_idx on public.usage_calls (model_id, called_at);

-- Summaries per UTC day and month. Views, so they can never drift from the calls they sum.
create or replace view public.usage_daily
  with (security_invoker = true)
as
select (c.called_at at time zone 'UTC')::date as day,
  c.model_id,
  count(*) as calls,
  sum(c.prompt_tokens) as prompt_tokens,
  sum(c.completion_tokens) as completion_tokens,
  sum(c.reasoning_tokens) as reasoning_tokens,
  sum(c.cache_read_tokens) as cache_read_tokens,
  sum(c.cache_write_tokens) as cache_write_tokens,
  sum(c.cost) as cost,
  sum(c.catalog_cost) as catalog_cost
from public.usage_calls c
group by 1, 2;

create or replace view public.usage_monthly
  with (security_invoker = true)
as
select date_trunc('month', c.called_at at time zone 'UTC')::date as month,
  c.model_id,
  count(*) as calls,
  sum(c.prompt_tokens) as prompt_tokens,
  sum(c.completion_tokens) as completion_tokens,
  sum(c.reasoning_tokens) as reasoning_tokens,
  sum(c.cache_read_tokens) as cache_read_tokens,
  sum(c.cache_write_tokens) as cache_write_tokens,
  sum(c.cost) as cost,
  sum(c.catalog_cost) as catalog_cost
from public.usage_calls c
group by 1, 2;

alter table public.consumer_processed_events enable row level security;
alter table public.model_pricing enable row level security;
alter table public.usage_calls enable row level security;

-- Readers see prices; the ledger and the dedupe store are private to the writer (service_role).
revoke all on public.consumer_processed_events, public.usage_calls, public.usage_daily,
  public.usage_monthly
  from anon, authenticated;
revoke insert, update, delete, truncate on public.model_pricing from anon, authenticated;
grant select on public.model_pricing to anon, authenticated;
grant select, insert, update, delete on public.model_pricing to service_role;
grant select, insert on public.consumer_processed_events, public.usage_calls to service_role;
grant select on public.usage_daily, public.usage_monthly to service_role;

do $$
declare
  t text;
begin
  if not exists (select from pg_catalog.pg_policies
                 where schemaname = 'public' and tablename = 'model_pricing' and policyname = 'model_pricing_read') then
    create policy model_pricing_read on public.model_pricing for select to anon, authenticated using (true);
  end if;
  foreach t in array array['model_pricing', 'consumer_processed_events', 'usage_calls'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_writer') then
      execute format('create policy %I on public.%I for all to service_role using (true) with check (true)',
        t || '_writer', t);
    end if;
  end loop;
end
$$;
