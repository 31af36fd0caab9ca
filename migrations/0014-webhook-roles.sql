-- Webhook subscriptions through the API, replay requests, and one role per writer of the webhook
-- tables (services/notifier/README.md §9, §10; services/api/README.md "Webhook subscriptions").
-- Idempotent like 0011/0012. The roles are login-less: deployments grant them to their own logins.

-- The key that made a subscription (SHA-256 hex of the API key; null: made by the CLI), and the
-- replay request the notifier has to pick up (README §9).
alter table public.webhook_subscriptions add column if not exists owner_key_hash text
  check (owner_key_hash ~ '^[0-9a-f]{64}$');
alter table public.webhook_subscriptions add column if not exists replay_request_id uuid;
alter table public.webhook_subscriptions add column if not exists replay_from timestamptz;
alter table public.webhook_subscriptions add column if not exists replay_requested_at timestamptz;
alter table public.webhook_subscriptions add column if not exists replay_done_at timestamptz;

create index if not exists webhook_subscriptions_owner_idx
  on public.webhook_subscriptions (owner_key_hash, created_at);
create index if not exists webhook_subscriptions_replay_idx
  on public.webhook_subscriptions (replay_requested_at)
  where replay_request_id is not null and replay_done_at is null;

do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'webhook_admin') then
    create role webhook_admin nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'webhook_notifier') then
    create role webhook_notifier nologin noinherit;
  end if;
end
$$;

grant usage on schema public to webhook_admin, webhook_notifier;

-- Start from nothing on the webhook tables, then grant column by column.
revoke all on public.webhook_subscriptions, public.webhook_deliveries from webhook_admin, webhook_notifier;

-- webhook_admin (the API's subscription routes, the CLI): every column but the secret readable, so no
-- answer can show a secret after the one that created it; insert; update only the disable and replay
-- columns. No delete (history of deliveries is kept), nothing on deliveries or prices.
grant select (id, url, model_ids, providers, alerts_only, created_at, disabled_at, owner_key_hash,
  replay_request_id, replay_from, replay_requested_at, replay_done_at)
  on public.webhook_subscriptions to webhook_admin;
grant insert (url, secret, model_ids, providers, alerts_only, owner_key_hash, replay_request_id,
  replay_from, replay_requested_at)
  on public.webhook_subscriptions to webhook_admin;
grant update (disabled_at, replay_request_id, replay_from, replay_requested_at, replay_done_at)
  on public.webhook_subscriptions to webhook_admin;

-- webhook_notifier: reads subscriptions (it signs with the secret), marks them disabled (410) and
-- replays done; keeps its delivery bookkeeping; reads the stored changes to replay them.
grant select on public.webhook_subscriptions to webhook_notifier;
grant update (disabled_at, replay_done_at) on public.webhook_subscriptions to webhook_notifier;
grant select, insert, update on public.webhook_deliveries to webhook_notifier;
grant select on public.price_changes to webhook_notifier;

-- Row-level security is on for all three tables (0005, 0012): a policy per role, or it sees no row.
do $$
declare
  p record;
begin
  for p in select * from (values
      ('webhook_subscriptions', 'webhook_subscriptions_admin', 'webhook_admin', 'all'),
      ('webhook_subscriptions', 'webhook_subscriptions_notifier', 'webhook_notifier', 'all'),
      ('webhook_deliveries', 'webhook_deliveries_notifier', 'webhook_notifier', 'all'),
      ('price_changes', 'price_changes_notifier_read', 'webhook_notifier', 'select'))
      as t(tbl, name, role, cmd) loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = p.tbl and policyname = p.name) then
      if p.cmd = 'select' then
        execute format('create policy %I on public.%I for select to %I using (true)', p.name, p.tbl, p.role);
      else
        execute format('create policy %I on public.%I for all to %I using (true) with check (true)',
          p.name, p.tbl, p.role);
      end if;
    end if;
  end loop;
end
$$;
