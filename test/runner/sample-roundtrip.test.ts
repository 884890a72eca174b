/**
 * The sample is the project's living test: through the runner API, every sample migration is
 * applied (and verified after each), verified again once all are in, rolled back to an empty
 * schema, and applied again — on the sample's own sandbox (PGlite, its tidemark.json as shipped)
 * and on a real PostgreSQL server.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations } from '../../server/src/runner/apply';
import { findEnvironment, loadProject, type Project } from '../../server/src/database/environments';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import type { RunOptions } from '../../server/src/runner/session';
import { getStatus } from '../../server/src/runner/status';
import { verifyMigrations } from '../../server/src/runner/verify';
import type { RunReport } from '../../server/src/protocol';
import { sampleDir } from '../support/paths';
import { postgresBackend } from './backends';
import { scratchDir } from '../support/test-cleanup';

const VERSIONS = ['001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '11'];

/** What the sample leaves in the application's schema (the history schema is Tidemark's own). */
const USER_OBJECTS = `
  SELECT 'table ' || relname AS what FROM pg_class WHERE relnamespace = 'public'::regnamespace
  UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype <> 'c'
  ORDER BY 1`;

function sampleMigrationFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(sampleDir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(join(sampleDir, 'migrations'));
  return files;
}

function steps(report: RunReport): string[] {
  return report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}${s.outcome === 'ok' ? '' : `: ${s.message ?? ''}`}`);
}

function assertAllOk(report: RunReport, action: string, versions: string[]) {
  assert.equal(report.failure, undefined, `${action} failed: ${JSON.stringify(report.failure)}`);
  assert.deepEqual(
    steps(report).filter((s) => s.startsWith(`${action} `)),
    versions.map((v) => `${action} ${v} ok`),
    report.summary,
  );
}

async function roundTrip(project: () => Project, env: string, options: RunOptions, userObjects: () => Promise<string[]>) {
  for (let round = 1; round <= 2; round++) {
    const applied = await applyMigrations(project(), env, options);
    assertAllOk(applied, 'apply', VERSIONS);
    assertAllOk(applied, 'verify', VERSIONS);
    assert.match(applied.summary, /Applied 11 migrations .*0 pending/);

    const [status] = await getStatus(project(), env, options);
    assert.equal(status.error, undefined, status.error);
    assert.deepEqual(
      status.migrations.map((m) => `${m.version} ${m.state}`),
      VERSIONS.map((v) => `${v} verified`),
    );
    assert.ok((await userObjects()).includes('table memberships'));

    // Every verify section still holds with all migrations in (later ones must not break them).
    assertAllOk(await verifyMigrations(project(), env, options), 'verify', VERSIONS);

    const rolledBack = await rollbackMigrations(project(), env, { ...options, toVersion: '0' });
    assertAllOk(rolledBack, 'rollback', [...VERSIONS].reverse());
    assert.deepEqual(await userObjects(), [], `round ${round}: rolling everything back leaves nothing behind`);
    const [after] = await getStatus(project(), env, options);
    assert.deepEqual(new Set(after.migrations.map((m) => m.state)), new Set(['pending']));
  }
}

describe('migrations-sample through the runner: apply, verify, roll back, apply again', function () {
  this.timeout(300_000);

  it("on the sample's own sandbox environment, with its tidemark.json as shipped", async () => {
    const root = scratchDir('sample-');
    cpSync(sampleDir, root, { recursive: true, filter: (src) => !src.includes(`${join(sampleDir, '.tidemark')}`) });
    const sandboxPath = findEnvironment(loadProject(root), 'sandbox').sandboxPath!;
    assert.ok(sandboxPath.startsWith(root), `the sandbox lives in the project: ${sandboxPath}`);
    await roundTrip(
      () => loadProject(root),
      'sandbox',
      {},
      async () => {
        const db = new PGlite(sandboxPath);
        try {
          return (await db.query<{ what: string }>(USER_OBJECTS)).rows.map((r) => r.what);
        } finally {
          await db.close();
        }
      },
    );
  });

  // PGlite is covered by the sandbox above; a real server checks the SQL is PostgreSQL's, not just PGlite's.
  {
    const backend = postgresBackend();
    describe(`on ${backend.label}`, () => {
      before(() => backend.start());
      after(() => backend.stop());

      it('every migration applies, verifies and rolls back, twice', async () => {
        const f = await backend.fixture(sampleMigrationFiles());
        await roundTrip(f.project, 'local', f.options, async () => (await f.sql('local', USER_OBJECTS)).map((r) => String(r.what)));
      });
    });
  }
});
