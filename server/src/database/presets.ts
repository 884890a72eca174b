/**
 * Presets: what a hosted platform's database already holds before a project's first migration,
 * recreated in the embedded sandbox and in the replay check's shadow so the migrations written
 * for that platform replay there. One preset today, Supabase: a project with
 * supabase/config.toml, or `"preset": "supabase"` in tidemark.json. docs/runner.md lists exactly
 * what it creates and what is a stub.
 *
 * The SQL is Tidemark's own, written to match what Supabase's local stack (supabase/postgres's
 * init scripts, supabase/auth's migrations, supabase/storage's migrations) leaves behind: the
 * same names, column names and types, and function signatures, so DDL, RLS policies and triggers
 * referring to them replay; not their behaviour (no network, no JWT signing, no real vault).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtensionStub } from './pglite-extensions';

export type PresetId = 'supabase';

export interface Preset {
  id: PresetId;
  /** Why it applies: "supabase/config.toml" or "tidemark.json preset". */
  reason: string;
  /** Extensions PGlite ships that the setup creates (loaded with the database). */
  extensions: string[];
  /** Extensions PGlite lacks, made creatable with the platform's signatures. */
  stubs: ExtensionStub[];
  /** Run once, before the first migration, on a new database. */
  setupSql: string;
  /**
   * A query returning a row when setupSql has run in the database already: a sandbox made by a
   * Tidemark that did not yet record its preset (embedded-setup.ts) is not set up twice.
   */
  installedSql: string;
  /** The schemas the platform owns: their tables are not the project's (an environment holding only them is empty). */
  schemas: string[];
}

/** The preset a project uses: the one tidemark.json names, else Supabase when supabase/config.toml exists. */
export function presetOf(root: string, configured: PresetId | undefined): Preset | undefined {
  if (configured === 'supabase') return supabasePreset('"preset": "supabase" in tidemark.json');
  if (existsSync(join(root, 'supabase', 'config.toml'))) return supabasePreset('supabase/config.toml');
  return undefined;
}

function supabasePreset(reason: string): Preset {
  const origin = 'the supabase preset';
  return {
    id: 'supabase',
    reason,
    extensions: ['uuid-ossp', 'pgcrypto'],
    stubs: [
      { name: 'http', origin, sql: HTTP_STUB },
      { name: 'pg_net', origin, sql: PG_NET_STUB },
      { name: 'pg_cron', origin, sql: PG_CRON_STUB },
      { name: 'pgjwt', origin, sql: PGJWT_STUB },
      { name: 'pg_graphql', origin, sql: PG_GRAPHQL_STUB },
      { name: 'supabase_vault', origin, sql: VAULT_STUB },
    ],
    setupSql: SUPABASE_SETUP,
    installedSql: "SELECT 1 FROM pg_roles WHERE rolname = 'service_role' AND to_regclass('auth.users') IS NOT NULL",
    // The local stack's and the hosted platform's own schemas (the stubs' included).
    schemas: [
      'auth',
      'storage',
      'extensions',
      'graphql',
      'graphql_public',
      'realtime',
      '_realtime',
      'vault',
      'net',
      'cron',
      'pgsodium',
      'pgsodium_masks',
      'supabase_functions',
      'supabase_migrations',
      '_analytics',
      'pgbouncer',
    ],
  };
}

/** A stub function's body: it exists for DDL to refer to; calling it says why it does nothing. */
const stubBody = (what: string, why = 'it has no network') => `BEGIN RAISE EXCEPTION '${what} is a stub in Tidemark''s embedded database: ${why}'; END`;

const HTTP_STUB = `
CREATE DOMAIN http_method AS text;
CREATE DOMAIN content_type AS text CHECK (VALUE ~ '^\\S+\\/\\S+');
CREATE TYPE http_header AS (field varchar, value varchar);
CREATE TYPE http_response AS (status integer, content_type varchar, headers http_header[], content varchar);
CREATE TYPE http_request AS (method http_method, uri varchar, headers http_header[], content_type varchar, content varchar);
CREATE FUNCTION http_header(field varchar, value varchar) RETURNS http_header LANGUAGE sql AS $$ SELECT $1, $2 $$;
CREATE FUNCTION http(request @extschema@.http_request) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http()')} $$;
CREATE FUNCTION http_get(uri varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_get()')} $$;
CREATE FUNCTION http_get(uri varchar, data jsonb) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_get()')} $$;
CREATE FUNCTION http_post(uri varchar, content varchar, content_type varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_post()')} $$;
CREATE FUNCTION http_post(uri varchar, data jsonb) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_post()')} $$;
CREATE FUNCTION http_put(uri varchar, content varchar, content_type varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_put()')} $$;
CREATE FUNCTION http_patch(uri varchar, content varchar, content_type varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_patch()')} $$;
CREATE FUNCTION http_delete(uri varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_delete()')} $$;
CREATE FUNCTION http_delete(uri varchar, content varchar, content_type varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_delete()')} $$;
CREATE FUNCTION http_head(uri varchar) RETURNS http_response LANGUAGE plpgsql AS $$ ${stubBody('http_head()')} $$;
CREATE FUNCTION http_set_curlopt(curlopt varchar, value varchar) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION http_reset_curlopt() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION urlencode(string varchar) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT replace(replace($1, '%', '%25'), ' ', '%20') $$;
CREATE FUNCTION urlencode(data jsonb) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT string_agg(key || '=' || value, '&') FROM jsonb_each_text($1) $$;
CREATE FUNCTION text_to_bytea(data text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT convert_to($1, 'UTF8') $$;
CREATE FUNCTION bytea_to_text(data bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT convert_from($1, 'UTF8') $$;
`;

// Requests are queued, as pg_net does, and never sent: a trigger calling net.http_post runs and its
// row can be seen in net.http_request_queue.
const PG_NET_STUB = `
CREATE SCHEMA IF NOT EXISTS net;
CREATE TYPE net.request_status AS ENUM ('PENDING', 'SUCCESS', 'ERROR');
CREATE TYPE net.http_response AS (status_code integer, headers jsonb, body text);
CREATE TYPE net.http_response_result AS (status net.request_status, message text, response net.http_response);
CREATE TABLE net.http_request_queue (id bigserial NOT NULL, method text NOT NULL, url text NOT NULL, headers jsonb NOT NULL, body bytea, timeout_milliseconds integer NOT NULL);
CREATE TABLE net._http_response (id bigint, status_code integer, content_type text, headers jsonb, content text, timed_out boolean, error_msg text, created timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION net.http_get(url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb, timeout_milliseconds integer DEFAULT 5000) RETURNS bigint
  LANGUAGE sql AS $$ INSERT INTO net.http_request_queue (method, url, headers, timeout_milliseconds) VALUES ('GET', url, coalesce(headers, '{}'), timeout_milliseconds) RETURNING id $$;
CREATE FUNCTION net.http_post(url text, body jsonb DEFAULT '{}'::jsonb, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb, timeout_milliseconds integer DEFAULT 5000) RETURNS bigint
  LANGUAGE sql AS $$ INSERT INTO net.http_request_queue (method, url, headers, body, timeout_milliseconds) VALUES ('POST', url, coalesce(headers, '{}'), convert_to(body::text, 'UTF8'), timeout_milliseconds) RETURNING id $$;
CREATE FUNCTION net.http_delete(url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb, timeout_milliseconds integer DEFAULT 5000, body jsonb DEFAULT NULL) RETURNS bigint
  LANGUAGE sql AS $$ INSERT INTO net.http_request_queue (method, url, headers, body, timeout_milliseconds) VALUES ('DELETE', url, coalesce(headers, '{}'), convert_to(body::text, 'UTF8'), timeout_milliseconds) RETURNING id $$;
CREATE FUNCTION net.http_collect_response(request_id bigint, async boolean DEFAULT true) RETURNS net.http_response_result
  LANGUAGE sql AS $$ SELECT ('ERROR', 'pg_net is a stub in Tidemark''s embedded database: requests are queued, never sent', NULL)::net.http_response_result $$;
CREATE FUNCTION net.wake() RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE FUNCTION net.worker_restart() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
`;

// Jobs are recorded, never run.
const PG_CRON_STUB = `
CREATE SCHEMA IF NOT EXISTS cron;
CREATE TABLE cron.job (jobid bigserial PRIMARY KEY, schedule text NOT NULL, command text NOT NULL, nodename text NOT NULL DEFAULT 'localhost', nodeport integer NOT NULL DEFAULT 5432,
  database text NOT NULL DEFAULT current_database(), username text NOT NULL DEFAULT current_user, active boolean NOT NULL DEFAULT true, jobname text);
CREATE UNIQUE INDEX jobname_username_uniq ON cron.job (jobname, username);
CREATE TABLE cron.job_run_details (jobid bigint, runid bigserial PRIMARY KEY, job_pid integer, database text, username text, command text, status text, return_message text, start_time timestamptz, end_time timestamptz);
CREATE FUNCTION cron.schedule(schedule text, command text) RETURNS bigint
  LANGUAGE sql AS $$ INSERT INTO cron.job (schedule, command) VALUES ($1, $2) RETURNING jobid $$;
CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
  LANGUAGE sql AS $$ INSERT INTO cron.job (jobname, schedule, command) VALUES ($1, $2, $3)
    ON CONFLICT (jobname, username) DO UPDATE SET schedule = excluded.schedule, command = excluded.command RETURNING jobid $$;
CREATE FUNCTION cron.unschedule(job_id bigint) RETURNS boolean
  LANGUAGE sql AS $$ WITH gone AS (DELETE FROM cron.job WHERE jobid = $1 RETURNING 1) SELECT count(*) > 0 FROM gone $$;
CREATE FUNCTION cron.unschedule(job_name text) RETURNS boolean
  LANGUAGE sql AS $$ WITH gone AS (DELETE FROM cron.job WHERE jobname = $1 RETURNING 1) SELECT count(*) > 0 FROM gone $$;
`;

const PGJWT_STUB = `
CREATE FUNCTION url_encode(data bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT translate(encode(data, 'base64'), E'+/=\\n', '-_') $$;
CREATE FUNCTION url_decode(data text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$ SELECT decode(rpad(translate(data, '-_', '+/'), 4 * ((length(data) + 3) / 4), '='), 'base64') $$;
CREATE FUNCTION algorithm_sign(signables text, secret text, algorithm text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ ${stubBody('pgjwt algorithm_sign()', 'it signs nothing')} $$;
CREATE FUNCTION sign(payload json, secret text, algorithm text DEFAULT 'HS256') RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ ${stubBody('pgjwt sign()', 'it signs nothing')} $$;
CREATE FUNCTION verify(token text, secret text, algorithm text DEFAULT 'HS256') RETURNS TABLE(header json, payload json, valid boolean)
  LANGUAGE plpgsql IMMUTABLE AS $$ ${stubBody('pgjwt verify()', 'it verifies nothing')} $$;
`;

const PG_GRAPHQL_STUB = `
CREATE SCHEMA IF NOT EXISTS graphql;
CREATE FUNCTION graphql.resolve(query text, variables jsonb DEFAULT '{}', "operationName" text DEFAULT NULL, extensions jsonb DEFAULT NULL) RETURNS jsonb
  LANGUAGE sql AS $$ SELECT jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql is a stub in Tidemark''s embedded database'))) $$;
CREATE FUNCTION graphql.comment_directive(comment_ text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT NULL::jsonb $$;
`;

// Secrets are kept in plain text: the embedded database is a scratch copy, never production.
const VAULT_STUB = `
CREATE SCHEMA IF NOT EXISTS vault;
CREATE TABLE vault.secrets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text UNIQUE, description text NOT NULL DEFAULT '', secret text NOT NULL, key_id uuid,
  nonce bytea, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE VIEW vault.decrypted_secrets AS SELECT s.*, s.secret AS decrypted_secret FROM vault.secrets s;
CREATE FUNCTION vault.create_secret(new_secret text, new_name text DEFAULT NULL, new_description text DEFAULT '', new_key_id uuid DEFAULT NULL) RETURNS uuid
  LANGUAGE sql AS $$ INSERT INTO vault.secrets (secret, name, description, key_id) VALUES (new_secret, new_name, new_description, new_key_id) RETURNING id $$;
CREATE FUNCTION vault.update_secret(secret_id uuid, new_secret text DEFAULT NULL, new_name text DEFAULT NULL, new_description text DEFAULT NULL, new_key_id uuid DEFAULT NULL) RETURNS void
  LANGUAGE sql AS $$ UPDATE vault.secrets SET secret = coalesce(new_secret, secret), name = coalesce(new_name, name), description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id), updated_at = now() WHERE id = secret_id $$;
`;

const SUPABASE_SETUP = `
-- Roles (supabase/postgres init scripts): the API roles PostgREST switches to, and the platform's admins.
CREATE ROLE anon NOLOGIN NOINHERIT;
CREATE ROLE authenticated NOLOGIN NOINHERIT;
CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT anon, authenticated, service_role TO authenticator;
CREATE ROLE supabase_admin LOGIN SUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS;
CREATE ROLE supabase_auth_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE supabase_storage_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE supabase_realtime_admin NOLOGIN NOINHERIT;
CREATE ROLE supabase_functions_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE dashboard_user NOLOGIN CREATEROLE CREATEDB REPLICATION;
CREATE ROLE pgbouncer LOGIN;
GRANT anon, authenticated, service_role TO postgres;

-- The extensions schema, with what the local stack creates in it.
CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;
CREATE EXTENSION "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, extensions', current_database()); END $$;
SET search_path = "$user", public, extensions;

-- public: the API roles use it, and get what the owner creates there.
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

-- auth (supabase/auth): users and identities, and the functions policies call, reading the
-- request settings PostgREST sets from the JWT (request.jwt.claims, or the older one-setting-per-claim form).
CREATE SCHEMA auth AUTHORIZATION supabase_auth_admin;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
CREATE TABLE auth.users (
  instance_id uuid,
  id uuid NOT NULL PRIMARY KEY,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text UNIQUE DEFAULT NULL,
  phone_confirmed_at timestamptz,
  phone_change text DEFAULT '',
  phone_change_token varchar(255) DEFAULT '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
  email_change_token_current varchar(255) DEFAULT '',
  email_change_confirm_status smallint DEFAULT 0 CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) DEFAULT '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  is_anonymous boolean NOT NULL DEFAULT false
);
CREATE TABLE auth.identities (
  provider_id text NOT NULL,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  identity_data jsonb NOT NULL,
  provider text NOT NULL,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  UNIQUE (provider_id, provider)
);
CREATE TABLE auth.sessions (
  id uuid NOT NULL PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  created_at timestamptz,
  updated_at timestamptz,
  not_after timestamptz
);
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(coalesce(current_setting('request.jwt.claim.sub', true), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')), '')::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(coalesce(current_setting('request.jwt.claim.role', true), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')), '')::text
$$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(coalesce(current_setting('request.jwt.claim.email', true), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')), '')::text
$$;
GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email() TO anon, authenticated, service_role;
GRANT SELECT ON auth.users TO service_role;
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER TABLE auth.identities OWNER TO supabase_auth_admin;
ALTER TABLE auth.sessions OWNER TO supabase_auth_admin;

-- storage (supabase/storage): buckets, objects, and the path helpers storage policies use.
CREATE SCHEMA storage AUTHORIZATION supabase_storage_admin;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
CREATE TABLE storage.buckets (
  id text NOT NULL PRIMARY KEY,
  name text NOT NULL,
  owner uuid,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  public boolean DEFAULT false,
  avif_autodetection boolean DEFAULT false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text
);
CREATE UNIQUE INDEX bname ON storage.buckets (name);
CREATE TABLE storage.objects (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  bucket_id text REFERENCES storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now(),
  metadata jsonb,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  version text,
  owner_id text,
  user_metadata jsonb
);
CREATE UNIQUE INDEX bucketid_objname ON storage.objects (bucket_id, name);
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE parts text[];
BEGIN
  parts := string_to_array(name, '/');
  RETURN parts[1 : array_length(parts, 1) - 1];
END $$;
CREATE FUNCTION storage.filename(name text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE parts text[];
BEGIN
  parts := string_to_array(name, '/');
  RETURN parts[array_length(parts, 1)];
END $$;
CREATE FUNCTION storage.extension(name text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE parts text[];
BEGIN
  parts := string_to_array(storage.filename(name), '.');
  RETURN parts[array_length(parts, 1)];
END $$;
GRANT ALL ON storage.buckets, storage.objects TO anon, authenticated, service_role;
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;

-- The schemas PostgREST and Realtime expect, and the publication Realtime reads.
CREATE SCHEMA graphql_public;
GRANT USAGE ON SCHEMA graphql_public TO anon, authenticated, service_role;
CREATE SCHEMA realtime;
GRANT USAGE ON SCHEMA realtime TO anon, authenticated, service_role;
CREATE PUBLICATION supabase_realtime;
`;
