/**
 * The Supabase preset: a project with supabase/config.toml gets, in its sandbox and in the replay
 * check's shadow, what Supabase's local stack has before the first migration — the API roles, the
 * auth and storage schemas, the extensions schema and stubs of the network extensions — so that
 * migrations written for Supabase apply, and their RLS policies can be exercised in a verify
 * section as PostgREST would run a request.
 */
import assert from 'node:assert/strict';
import { applyMigrations } from '../../server/src/runner/apply';
import { loadProject } from '../../server/src/database/environments';
import { withReadSession } from '../../server/src/runner/session';
import { loadConfig } from '../../server/src/migrations/config';
import { replayProject } from '../../server/src/replay/project';
import { writeFiles } from '../support/databases';
import { scratchDir } from '../support/test-cleanup';

const ALICE = '11111111-1111-1111-1111-111111111111';
const BOB = '22222222-2222-2222-2222-222222222222';

/** A migration as Supabase projects write them: profiles bound to auth.users, RLS for the API roles, storage and network extensions. */
const PROFILES = `-- migrate:up
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_net;
create extension if not exists http with schema extensions;

create table if not exists public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text,
  avatar_token uuid default extensions.uuid_generate_v4()
);
alter table public.profiles enable row level security;
drop policy if exists "profiles are read by their owner" on public.profiles;
create policy "profiles are read by their owner" on public.profiles for select to authenticated using (auth.uid() = id);
drop policy if exists "service reads all" on public.profiles;
create policy "service reads all" on public.profiles for select to service_role using (auth.role() = 'service_role');

create or replace function public.handle_new_user() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, username) values (new.id, new.raw_user_meta_data ->> 'username');
  perform net.http_post(url := 'https://hooks.example.com/new-user', body := jsonb_build_object('id', new.id));
  return new;
end $$;
drop trigger if exists on_auth_user_created on auth.users;
create trigger on_auth_user_created after insert on auth.users for each row execute function public.handle_new_user();

create or replace function public.ping(url text) returns integer language sql as $$ select (extensions.http_get(url)).status $$;

insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false) on conflict (id) do nothing;
drop policy if exists "avatars in the owner's folder" on storage.objects;
create policy "avatars in the owner's folder" on storage.objects for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text);

-- migrate:down
drop policy if exists "avatars in the owner's folder" on storage.objects;
delete from storage.buckets where id = 'avatars';
drop function if exists public.ping(text);
drop trigger if exists on_auth_user_created on auth.users;
drop function if exists public.handle_new_user();
drop table if exists public.profiles;
drop extension if exists http;
drop extension if exists pg_net;

-- migrate:verify
insert into auth.users (id, email, raw_user_meta_data) values
  ('${ALICE}', 'alice@example.com', '{"username": "alice"}'), ('${BOB}', 'bob@example.com', '{"username": "bob"}');
-- expect: 2
select count(*) from net.http_request_queue where url = 'https://hooks.example.com/new-user';
set role authenticated;
select set_config('request.jwt.claims', '{"sub": "${ALICE}", "role": "authenticated"}', true);
select auth.uid() = '${ALICE}'::uuid and auth.role() = 'authenticated' and auth.jwt() ->> 'sub' = '${ALICE}';
-- expect: alice
select string_agg(username, ',') from public.profiles;
-- expect: 1
with uploaded as (insert into storage.objects (bucket_id, name) values ('avatars', '${ALICE}/me.png') returning 1) select count(*) from uploaded;
reset role;
set role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);
-- expect: 2
select count(*) from public.profiles;
reset role;
`;

/** A policy that only lets the owner in must refuse another user's upload: the verify fails. */
const FORBIDDEN_UPLOAD = `-- migrate:up
select 1;
-- migrate:verify
set role authenticated;
select set_config('request.jwt.claims', '{"sub": "${ALICE}", "role": "authenticated"}', true);
insert into storage.objects (bucket_id, name) values ('avatars', '${BOB}/not-mine.png');
`;

/**
 * A Supabase project (supabase/config.toml) whose migrations are written with Tidemark's sections,
 * so that they carry a verify section: db/migrations, read as dbmate files (supabase/migrations is
 * read as Supabase's own layout, one up per file: the last test).
 */
function supabaseProject(files: Record<string, string>): string {
  const root = scratchDir('supabase-');
  writeFiles(root, { 'supabase/config.toml': 'project_id = "tidemark-test"\n', 'tidemark.json': JSON.stringify({ migrationsDir: 'db/migrations', layout: 'dbmate' }), ...files });
  return root;
}

describe('the Supabase preset in the sandbox and the shadow', function () {
  this.timeout(180_000);

  it('applies a Supabase migration and exercises its RLS policies as the API roles in verify', async () => {
    const root = supabaseProject({ 'db/migrations/20240101000000_profiles.sql': PROFILES });
    const report = await applyMigrations(loadProject(root), undefined);
    assert.deepEqual(
      report.steps.map((s) => [s.action, s.outcome, s.outcome === 'ok' ? '' : s.message]),
      [
        ['apply', 'ok', ''],
        ['verify', 'ok', ''],
      ],
    );

    // The preset is in the sandbox for good: a later open sees the roles and the stubbed extensions.
    const state = await withReadSession(loadProject(root).environments[0], {}, async ({ db }) => ({
      roles: (await db.query("SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator') ORDER BY 1")).rows.map((r) => r.rolname),
      extensions: (await db.query('SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension ORDER BY 1')).rows.map((r) => `${r.extname}@${r.schema}`),
      queued: (await db.query("SELECT net.http_get('https://example.com') > 0 AS ok")).rows[0].ok,
    }));
    assert.deepEqual(state.roles, ['anon', 'authenticated', 'authenticator', 'service_role']);
    assert.deepEqual(state.extensions, ['http@extensions', 'pg_net@public', 'pgcrypto@extensions', 'plpgsql@pg_catalog', 'uuid-ossp@extensions']);
    assert.equal(state.queued, true);
  });

  it("a policy that refuses is seen: the verify of another user's upload fails", async () => {
    const root = supabaseProject({
      'db/migrations/20240101000000_profiles.sql': PROFILES,
      'db/migrations/20240102000000_forbidden.sql': FORBIDDEN_UPLOAD,
    });
    const report = await applyMigrations(loadProject(root), undefined);
    const verify = report.steps.filter((s) => s.action === 'verify');
    assert.deepEqual(
      verify.map((s) => s.outcome),
      ['ok', 'failed'],
    );
    assert.match(verify[1].message!, /new row violates row-level security policy for table "objects"/);
  });

  it('the replay check replays the same migration in its shadow, and without the preset it cannot', async () => {
    const root = supabaseProject({ 'db/migrations/20240101000000_profiles.sql': PROFILES });
    const [result] = await replayProject(loadConfig(root), undefined);
    assert.deepEqual(
      result.findings.map((f) => `${f.rule}: ${f.message}`),
      [],
    );
    assert.equal(result.completed, true);

    const plain = scratchDir('not-supabase-');
    writeFiles(plain, { 'tidemark.json': JSON.stringify({ migrationsDir: 'db/migrations', layout: 'dbmate' }), 'db/migrations/20240101000000_profiles.sql': PROFILES });
    const [without] = await replayProject(loadConfig(plain), undefined);
    assert.deepEqual(
      without.findings.map((f) => f.rule),
      ['replay-skipped'],
    );
    assert.match(without.findings[0].message, /schema "extensions" does not exist/);
  });

  it('a migration in supabase/migrations, read as Supabase reads it, applies on the preset', async () => {
    const root = scratchDir('supabase-layout-');
    const up = PROFILES.slice(PROFILES.indexOf('\n') + 1, PROFILES.indexOf('-- migrate:down'));
    writeFiles(root, { 'supabase/config.toml': 'project_id = "tidemark-test"\n', 'supabase/migrations/20240101000000_profiles.sql': up });
    const report = await applyMigrations(loadProject(root), undefined);
    assert.deepEqual(
      report.steps.map((s) => [s.action, s.outcome, s.outcome === 'ok' ? '' : s.message]),
      [['apply', 'ok', '']],
    );
  });

  it('"preset": "supabase" in tidemark.json works without supabase/config.toml', async () => {
    const root = scratchDir('supabase-config-');
    writeFiles(root, { 'tidemark.json': JSON.stringify({ preset: 'supabase' }), 'migrations/001_profiles.sql': PROFILES });
    const report = await applyMigrations(loadProject(root), undefined);
    assert.deepEqual(
      report.steps.map((s) => s.outcome),
      ['ok', 'ok'],
    );
  });
});
