/**
 * The extension activates in every project whose migrations a layout reader reads, not only where
 * tidemark.json or `migrations/*.sql` exists: each tool's typical project matches one of
 * package.json's activation events, so a migration file opened in a Prisma, diesel, Drizzle or
 * sqitch project gets its diagnostics without first opening the Tidemark view.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as path from 'node:path';
import { READERS } from '../../../server/src/migrations/layouts';
import { repoRoot } from '../../support/paths';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { activationEvents: string[] };
const workspaceContains = manifest.activationEvents.filter((e) => e.startsWith('workspaceContains:')).map((e) => e.slice('workspaceContains:'.length));
// Node's glob matching (the same `**` / `*` rules as VS Code's workspaceContains for these patterns).
const matches = (file: string, glob: string) => (path as unknown as { matchesGlob(p: string, g: string): boolean }).matchesGlob(file, glob);

/** A file each tool keeps, as it lays out a project: one per reader, so no reader goes unactivated. */
const EXAMPLES: Record<string, string> = {
  prisma: 'app/prisma/migrations/migration_lock.toml',
  drizzle: 'web/drizzle/meta/_journal.json',
  diesel: 'api/diesel.toml',
  supabase: 'supabase/config.toml',
  sqitch: 'db/sqitch.plan',
  'graphile-migrate': '.gmrc',
  atlas: 'ent/migrate/migrations/atlas.sum',
  liquibase: 'src/main/resources/db/changelog/changes/001-accounts.sql',
  goose: 'db/migrations/20240101000000_create_t.sql',
  'node-pg-migrate': 'migrations/1700000000000_init.sql',
  sqlx: 'migrations/20240101000000_init.sql',
  flyway: 'src/main/resources/db/migration/V1__init.sql',
  'golang-migrate': 'db/migrations/000001_init.up.sql',
  folders: 'migrations/001_init.sql',
  dbmate: 'db/migrations/20240101000000_init.sql',
};

describe('client activation: a project of every tool Tidemark reads activates the extension', () => {
  // Which events there are is held to the readers' activationGlobs by manifest.test.ts; here, that they match real projects.
  it("activates on a typical file of each tool's project", () => {
    assert.deepEqual(
      READERS.map((r) => r.id).filter((id) => !EXAMPLES[id]),
      [],
      'every reader has an example here',
    );
    for (const reader of READERS) {
      const file = EXAMPLES[reader.id];
      assert.ok(
        workspaceContains.some((glob) => matches(file, glob)),
        `${reader.id}: no activation event matches ${file}`,
      );
    }
  });

  it("activates on this repository's own fixture of each layout it reads from a marker file", () => {
    for (const [layout, file] of [
      ['sqitch', 'test/fixtures/layouts/sqitch/sqitch.plan'],
      ['atlas', 'test/fixtures/layouts/atlas/atlas.sum'],
      ['graphile-migrate', 'test/fixtures/layouts/graphile-migrate/.gmrc'],
    ]) {
      const reader = READERS.find((r) => r.id === layout)!;
      assert.ok(
        (reader.activationGlobs ?? []).some((glob) => matches(file, glob)),
        `${layout}: ${file}`,
      );
    }
  });
});
