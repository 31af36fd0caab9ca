-- The public API's role (services/api): read-only and login-less. The deployment creates a login for
-- each API instance and grants it this role (`grant api_reader to <login>`), as PostgREST's
-- authenticator is granted anon; the login's password is deployment config, never a migration's.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'api_reader') then
    create role api_reader nologin noinherit;
  end if;
end
$$;

grant usage on schema public to api_reader;

-- What the API reads: the catalog projections, the price history and its views, and price_at.
-- SELECT only: nothing here lets the role write, and history stays append-only for everyone anyway.
grant select on public.providers, public.models_catalog, public.model_providers,
  public.price_observations, public.price_changes, public.model_pricing_daily
  to api_reader;
revoke insert, update, delete, truncate on public.providers, public.models_catalog,
  public.model_providers, public.byok_verifications, public.price_observations,
  public.price_changes, public.model_pricing_daily
  from api_reader;
grant usage on type public.price_in_force to api_reader;
grant execute on function public.price_at(text, timestamptz, text, text) to api_reader;

-- Row-level security is on for these tables (0005): without a policy naming the role it would read
-- no rows at all. Read everything, write nothing.
do $$
declare
  t text;
begin
  foreach t in array array['providers', 'models_catalog', 'model_providers', 'price_observations',
    'price_changes'] loop
    if not exists (select from pg_catalog.pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_api_read') then
      execute format('create policy %I on public.%I for select to api_reader using (true)', t || '_api_read', t);
    end if;
  end loop;
end
$$;
