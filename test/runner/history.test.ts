/**
 * History.ensure and undoCreation on the real embedded database: a run that stops before its first
 * change takes back only what it created, in the schema the user configured, whatever its case.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { History } from '../../server/src/database/history';
import { openPglite } from '../../server/src/database/pglite-adapter';
import { scratchDir } from '../support/test-cleanup';

describe('history tables: ensure and undoCreation', function () {
  this.timeout(60_000);

  it('keeps a schema the user made (mixed case, a space), drops only the empty tables it created, and keeps tables holding a row', async () => {
    const db = await openPglite(join(scratchDir('history-'), 'data'), 5_000);
    try {
      const schemaExists = async (name: string) => (await db.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [name])).rows[0].n === 1;
      await db.exec('CREATE SCHEMA "Audit Trail"');
      const own = new History(db, 'Audit Trail');
      assert.deepEqual(await own.ensure(), { schema: false, tables: true });
      assert.equal(await own.exists(), true);
      await own.undoCreation({ schema: false, tables: true });
      assert.equal(await own.exists(), false, 'the empty tables are gone');
      assert.equal(await schemaExists('Audit Trail'), true, "the user's schema stays");

      const fresh = new History(db, 'Deploys');
      const created = await fresh.ensure();
      assert.deepEqual(created, { schema: true, tables: true });
      await fresh.event('001', 'backup', 1, 'a row');
      await fresh.undoCreation(created);
      assert.equal(await fresh.exists(), true, 'tables holding a row are kept');
      await db.query(`DELETE FROM ${fresh.events}`);
      await fresh.undoCreation(created);
      assert.equal(await schemaExists('Deploys'), false, 'empty again: tables and the schema it made are dropped');
    } finally {
      await db.close();
    }
  });
});
