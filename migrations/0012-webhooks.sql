-- Webhooks (services/notifier): subscriptions and the notifier's delivery bookkeeping. The notifier
-- writes only these two tables, never price history (docs/design.md §4). Rules: services/notifier/README.md.

create table if not exists public.webhook_subscriptions (
  id uuid primary key default gen_random_uuid(),
  url text not null check (url ~ '^https?://'),
  -- Standard Webhooks secret, whsec_<base64 key>. Never readable by anon/authenticated.
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/=]+$'),
  -- Filters (README §1): empty arrays pass everything.
  model_ids text[] not null default '{}',
  providers text[] not null default '{}',
  alerts_only boolean not null default false,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);

create table if not exists public.webhook_deliveries (
  id bigint generated always as identity primary key,
  subscription_id uuid not null references public.webhook_subscriptions (id),
  -- The PriceChanged event id: the webhook-id header, the receiver's idempotency key.
  event_id text not null,
  -- The exact bytes sent on every attempt (text, not jsonb: jsonb would reorder keys and the
  -- signature covers the bytes).
  payload text not null,
  attempts integer not null default 0 check (attempts >= 0),
  status text not null default 'pending' check (status in ('pending', 'delivered', 'gone', 'dead')),
  last_status integer,
  last_error text,
  next_attempt_at timestamptz not null default now(),
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  unique (subscription_id, event_id)
);

create index if not exists webhook_deliveries_due_idx
  on public.webhook_deliveries (next_attempt_at) where status = 'pending';

alter table public.webhook_subscriptions enable row level security;
alter table public.webhook_deliveries enable row level security;

-- Secrets and receivers' URLs are private: no reader role sees either table.
revoke all on public.webhook_subscriptions, public.webhook_deliveries from anon, authenticated;
grant select, insert, update on public.webhook_subscriptions, public.webhook_deliveries to service_role;

do $$
declare
  t text;
begin
  foreach t in array array['webhook_subscriptions', 'webhook_deliveries'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_writer') then
      execute format('create policy %I on public.%I for all to service_role using (true) with check (true)',
        t || '_writer', t);
    end if;
  end loop;
end
$$;
