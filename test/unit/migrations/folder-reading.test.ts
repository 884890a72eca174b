/**
 * A folder's .sql files are read at once for its layout's detection (layouts/reader.ts
 * FolderCensus, text-file.ts readTextsLenient) and those texts serve discovery and the linter
 * after it. What a user sees must not change: the layout found, the texts read, the problems named.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskReader, discoverMigrations, lenientDiskReader, readMigrationFiles } from '../../../server/src/migrations/discovery';
import { layoutOnDisk } from '../../../server/src/migrations/layouts';
import { FolderCensus } from '../../../server/src/migrations/layouts/reader';
import { SteadyDisk, withSteadyDisk } from '../../../server/src/migrations/steady-disk';
import { FileEncodingError, readTextFileLenient, readTextsLenient } from '../../../server/src/migrations/text-file';
import { scratchDir } from '../../support/test-cleanup';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const lenient = new TextDecoder('utf-8');

/** Runs `check` outside a lint run and inside one (where texts read once are kept for later readers). */
function bothWays(check: () => void): void {
  check();
  withSteadyDisk(new SteadyDisk(), check);
}

/** Golang-migrate pairs: by their names alone they score as golang-migrate. */
function pairs(dir: string, count: number): void {
  for (let i = 1; i <= count; i++) {
    writeFileSync(join(dir, `00${i}_t${i}.up.sql`), `CREATE TABLE t${i} (id int);\n`);
    writeFileSync(join(dir, `00${i}_t${i}.down.sql`), `DROP TABLE t${i};\n`);
  }
}

describe('migrations: a folder read at once for its layout', () => {
  it('gives each file the text reading it alone gives: a byte order mark dropped, bytes that are not UTF-8 as U+FFFD, large and empty files', () => {
    const dir = scratchDir('folder-reading-');
    const files = new Map<string, Buffer>([
      ['001_bom.sql', Buffer.concat([BOM, Buffer.from('CREATE TABLE a (id int);\n')])],
      ['002_latin1.sql', Buffer.from([...Buffer.from('-- caf'), 0xe9, ...Buffer.from('\nSELECT 1;\n')])],
      ['003_empty.sql', Buffer.alloc(0)],
      ['004_large.sql', Buffer.from(`${'SELECT 1; -- é\n'.repeat(20_000)}-- +goose Up\n`)],
      ['005_crlf.sql', Buffer.from('SELECT 1;\r\nSELECT 2;\r\n')],
      ['006_mark_only.sql', BOM],
    ]);
    for (const [name, data] of files) writeFileSync(join(dir, name), data);
    bothWays(() => {
      const texts = readTextsLenient(dir, [...files.keys()]);
      for (const [name, data] of files) {
        assert.equal(texts.get(name), lenient.decode(data), name);
        assert.equal(readTextFileLenient(join(dir, name)), lenient.decode(data), name);
      }
    });
  });

  it('counts a marker deep in a file: one goose file among golang-migrate pairs makes the folder goose', () => {
    const dir = scratchDir('folder-reading-');
    pairs(dir, 2);
    writeFileSync(join(dir, '003_late.sql'), `${'SELECT 1;\n'.repeat(2_000)}-- +goose Up\nCREATE TABLE late (id int);\n`);
    bothWays(() => {
      const found = layoutOnDisk(dir);
      assert.equal(found?.reader.id, 'goose');
      assert.equal(found?.evidence, '-- +goose Up in 1 of 5 .sql files');
    });
  });

  it('reads a Liquibase first line after a byte order mark, and discovery runs the changeset', () => {
    const dir = scratchDir('folder-reading-');
    pairs(dir, 3);
    writeFileSync(join(dir, 'changelog.sql'), Buffer.concat([BOM, Buffer.from('\n--liquibase formatted sql\n--changeset ana:1\nCREATE TABLE t (id int);\n')]));
    bothWays(() => {
      assert.equal(layoutOnDisk(dir)?.reader.id, 'liquibase');
      const found = discoverMigrations(dir);
      assert.deepEqual(
        found.migrations.map((m) => [m.version, m.up.text.trim()]),
        [['ana:1', 'CREATE TABLE t (id int);']],
      );
    });
  });

  it('detects a folder whose files hold bytes that are not UTF-8; running it still refuses the file, naming the place', () => {
    const dir = scratchDir('folder-reading-');
    writeFileSync(join(dir, '001_a.sql'), '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n');
    writeFileSync(join(dir, '002_b.sql'), Buffer.from([...Buffer.from('-- migrate:up\n-- na'), 0xef, ...Buffer.from('ve\nCREATE TABLE b (id int);\n')]));
    bothWays(() => {
      assert.equal(layoutOnDisk(dir)?.evidence, '-- migrate:up markers in 2 of 2 files');
      assert.equal(discoverMigrations(dir, lenientDiskReader).migrations.length, 2);
      assert.throws(
        () => discoverMigrations(dir, diskReader),
        (error: unknown) => error instanceof FileEncodingError && error.path === join(dir, '002_b.sql') && error.line === 2 && error.column === 6,
      );
      // A census reading strictly refuses the file when asked for it, as reading it alone does.
      const census = new FolderCensus(dir, diskReader);
      assert.match(census.text('001_a.sql') ?? '', /CREATE TABLE a/);
      assert.throws(() => census.text('002_b.sql'), FileEncodingError);
    });
  });

  it('read strictly, the first file that is not UTF-8 in the order detection reads them is the one named', () => {
    const dir = scratchDir('folder-reading-');
    mkdirSync(join(dir, 'a'));
    const latin1 = Buffer.from([...Buffer.from('SELECT '), 0xe9, ...Buffer.from(';\n')]);
    writeFileSync(join(dir, 'a', '001_x.sql'), latin1);
    writeFileSync(join(dir, 'b.sql'), latin1);
    writeFileSync(join(dir, 'c.sql'), '-- migrate:up\nSELECT 1;\n');
    bothWays(() => {
      assert.throws(
        () => discoverMigrations(dir, diskReader),
        (error: unknown) => error instanceof FileEncodingError && error.path === join(dir, 'a', '001_x.sql'),
      );
    });
  });

  it('never opens a FIFO named like a migration: detection and discovery finish and name it', function () {
    if (process.platform === 'win32') this.skip();
    const dir = scratchDir('folder-reading-');
    writeFileSync(join(dir, '001_a.sql'), '-- migrate:up\nCREATE TABLE a (id int);\n');
    execFileSync('mkfifo', [join(dir, '002_b.sql')]);
    writeFileSync(join(dir, '003_c.sql'), '-- migrate:up\nCREATE TABLE c (id int);\n');
    bothWays(() => {
      // Opening the FIFO would block this test until it times out.
      assert.equal(layoutOnDisk(dir)?.evidence, '-- migrate:up markers in 2 of 2 files');
      const found = discoverMigrations(dir, lenientDiskReader);
      assert.deepEqual(
        found.migrations.map((m) => m.version),
        ['001', '003'],
      );
      assert.deepEqual(
        found.problems.map((p) => p.message),
        ['002_b.sql is not a regular file (a FIFO, socket or device): skipped, never read'],
      );
      assert.deepEqual(
        readMigrationFiles(dir).map((f) => f.rel),
        ['001_a.sql', '003_c.sql'],
      );
    });
  });

  it('readMigrationFiles: the texts of a folder and its rollback/ files, as each read alone', () => {
    const dir = scratchDir('folder-reading-');
    mkdirSync(join(dir, 'rollback'));
    writeFileSync(join(dir, '001_a.sql'), Buffer.concat([BOM, Buffer.from('CREATE TABLE a (id int);\n')]));
    writeFileSync(join(dir, 'rollback', '001_a.sql'), 'DROP TABLE a;\n');
    writeFileSync(join(dir, 'notes.txt'), 'not SQL\n');
    bothWays(() => {
      assert.deepEqual(readMigrationFiles(dir), [
        { rel: '001_a.sql', text: 'CREATE TABLE a (id int);\n' },
        { rel: 'rollback/001_a.sql', text: 'DROP TABLE a;\n' },
      ]);
    });
  });
});
