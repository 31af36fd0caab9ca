-- Readers (anon, authenticated) may only SELECT; service_role writes (it has BYPASSRLS, the
-- policies below state the intent and keep working if that attribute is ever dropped).
-- Catalog projections are upserted (INSERT + UPDATE); price tables are INSERT only.

alter table public.providers enable row level security;
alter table public.models_catalog enable row level security;
alter table public.model_providers enable row level security;
alter table public.byok_verifications enable row level security;
alter table public.price_observations enable row level security;
alter table public.price_changes enable row level security;

-- On Supabase, default privileges grant everything in public to the API roles: take back what
-- readers must not do, and what nobody may do to history (the trigger also enforces the latter).
revoke insert, update, delete, truncate on public.providers, public.models_catalog,
  public.model_providers, public.byok_verifications, public.price_observations,
  public.price_changes, public.model_pricing_daily
  from anon, authenticated;
revoke update, delete, truncate on public.price_observations, public.price_changes,
  public.model_pricing_daily
  from service_role;
revoke delete, truncate on public.providers, public.models_catalog, public.model_providers,
  public.byok_verifications
  from service_role;

grant select on public.providers, public.models_catalog, public.model_providers,
  public.byok_verifications, public.price_observations, public.price_changes,
  public.model_pricing_daily
  to anon, authenticated;
grant select, insert, update on public.providers, public.models_catalog, public.model_providers,
  public.byok_verifications
  to service_role;
grant select, insert on public.price_observations, public.price_changes, public.model_pricing_daily
  to service_role;
grant usage on sequence public.byok_verifications_id_seq to service_role;

do $$
declare
  t text;
begin
  foreach t in array array['providers', 'models_catalog', 'model_providers', 'byok_verifications',
    'price_observations', 'price_changes'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_read') then
      execute format('create policy %I on public.%I for select to anon, authenticated using (true)',
        t || '_read', t);
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
  foreach t in array array['providers', 'models_catalog', 'model_providers', 'byok_verifications'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_writer_update') then
      execute format('create policy %I on public.%I for update to service_role using (true) with check (true)',
        t || '_writer_update', t);
    end if;
  end loop;
end
$$;
