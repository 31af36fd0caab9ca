-- Supabase's API roles. On Supabase they already exist (these blocks then do nothing); on a bare
-- Postgres they are created here so grants and policies below have someone to name.
-- authenticator is the role PostgREST logs in as; its password is deployment config, set outside
-- the migrations (scripts/stack/postgrest.sh locally, the platform on Supabase).
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

-- PostgREST switches from authenticator to the role named in the JWT, so it must be a member.
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_has_role('authenticator', r, 'member') then
      execute format('grant %I to authenticator', r);
    end if;
  end loop;
end
$$;

grant usage on schema public to anon, authenticated, service_role;
