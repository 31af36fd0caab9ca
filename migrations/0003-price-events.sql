-- Append-only facts: one row per NormalizedPrice and per PriceChanged event. The event id is the
-- primary key, so a replayed event is a no-op (INSERT ... ON CONFLICT DO NOTHING).
-- Money is numeric(18,8): USD per 1M tokens (or per unit) at scale 8, exactly as in the events.

create table if not exists public.price_observations (
  event_id text primary key,
  run_id text not null,
  caused_by text,
  price_key text not null,
  model_id text not null,
  provider text,
  source_type text not null,
  source_url text not null,
  snapshot_date date not null,
  observed_at timestamptz not null,
  status text not null,
  unavailable_reason text,
  currency text not null default 'USD',
  prompt numeric(18, 8),
  completion numeric(18, 8),
  internal_reasoning numeric(18, 8),
  input_cache_read numeric(18, 8),
  input_cache_write numeric(18, 8),
  request numeric(18, 8),
  image numeric(18, 8),
  web_search numeric(18, 8),
  notes text[] not null default '{}',
  inserted_at timestamptz not null default now()
);

create index if not exists price_observations_key_observed_idx
  on public.price_observations (price_key, observed_at);
create index if not exists price_observations_model_snapshot_idx
  on public.price_observations (model_id, snapshot_date);

create table if not exists public.price_changes (
  event_id text primary key,
  run_id text not null,
  caused_by text,
  price_key text not null,
  model_id text not null,
  provider text,
  source_type text not null,
  kind text not null,
  changes jsonb not null default '[]',
  previous_observed_at timestamptz,
  current_observed_at timestamptz,
  snapshot_date date not null,
  alert boolean not null default false,
  alert_threshold numeric,
  inserted_at timestamptz not null default now()
);

create index if not exists price_changes_key_observed_idx
  on public.price_changes (price_key, current_observed_at);
create index if not exists price_changes_model_snapshot_idx
  on public.price_changes (model_id, snapshot_date);

-- History is immutable for everyone, the writer and superusers included (RLS would not stop a
-- superuser or service_role). Statement-level, so it also fires when no row matches and on
-- INSERT ... ON CONFLICT DO UPDATE; ON CONFLICT DO NOTHING stays allowed.
create or replace function public.reject_append_only_change() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  raise exception '% on %.% is not allowed: the table is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = 'P0001', hint = 'Insert a new row instead.';
end
$$;

create or replace trigger price_observations_append_only
  before update or delete or truncate on public.price_observations
  for each statement execute function public.reject_append_only_change();

create or replace trigger price_changes_append_only
  before update or delete or truncate on public.price_changes
  for each statement execute function public.reject_append_only_change();
