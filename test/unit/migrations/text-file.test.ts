import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { checksum } from '../../../server/src/migrations/checksum';
import { decodeText, FileEncodingError, readTextFile, readTextFileLenient } from '../../../server/src/migrations/text-file';
import { scratchDir } from '../../support/test-cleanup';
import { SteadyDisk, withSteadyDisk } from '../../../server/src/migrations/steady-disk';

const BOM = [0xef, 0xbb, 0xbf];
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

function encodingError(data: Buffer): FileEncodingError {
  try {
    decodeText(data, 'migrations/001_x.sql');
  } catch (error) {
    assert.ok(error instanceof FileEncodingError, String(error));
    return error;
  }
  assert.fail('decoded without an error');
}

describe('migrations/text-file: reading migration files as the editor does', () => {
  it('drops a UTF-8 byte order mark, as VS Code does, so positions and checksums match the editor', () => {
    const dir = scratchDir('text-file-');
    writeFileSync(join(dir, '001_users.sql'), bytes(BOM, 'CREATE TABLE users (id int);\n'));
    writeFileSync(join(dir, '002_plain.sql'), 'CREATE TABLE users (id int);\n');
    assert.equal(readTextFile(join(dir, '001_users.sql')), 'CREATE TABLE users (id int);\n');
    const [withMark, without] = discoverMigrations(dir).migrations;
    assert.equal(withMark.up.text, 'CREATE TABLE users (id int);\n');
    assert.equal(withMark.checksum, without.checksum);
    assert.equal(withMark.checksum, checksum('CREATE TABLE users (id int);\n'));
  });

  it('names the line and the editor column of the first byte that is not UTF-8', () => {
    // Latin-1 "é" (0xE9) on line 2, after valid "café" and an emoji (two UTF-16 units).
    const error = encodingError(bytes('SELECT 1;\n-- café 😀 ', [0xe9], ';\n'));
    assert.equal(error.line, 2);
    assert.equal(error.column, '-- café 😀 '.length + 1);
    assert.equal(error.message, `migrations/001_x.sql:2:${'-- café 😀 '.length + 1}: not UTF-8 text (byte 0xE9); save the file as UTF-8`);
  });

  it('refuses overlong encodings, UTF-16 surrogates and a sequence cut off at the end', () => {
    assert.equal(encodingError(bytes('a', [0xc0, 0x80])).column, 2);
    assert.equal(encodingError(bytes('ab', [0xed, 0xa0, 0x80])).column, 3);
    assert.equal(encodingError(bytes('abc', [0xe2, 0x82])).column, 4);
  });

  it('reads context leniently: bytes that are not UTF-8 become U+FFFD', () => {
    const dir = scratchDir('text-file-');
    writeFileSync(join(dir, '001_x.sql'), bytes(BOM, 'SELECT ', [0xe9], ';'));
    assert.equal(readTextFileLenient(join(dir, '001_x.sql')), 'SELECT \uFFFD;');
    // Read to run, the same file is refused.
    assert.throws(() => discoverMigrations(dir), FileEncodingError);
  });

  it('reads any bytes as the WHATWG decoder does, leniently and strictly, in a lint run and outside one', () => {
    const dir = scratchDir('text-file-');
    // Pieces of well-formed and broken UTF-8: marks, overlongs, surrogates, cut-off sequences, U+FFFD itself.
    const pieces = [
      [0x41],
      [0xef, 0xbb, 0xbf],
      [0xc3, 0xa9],
      [0x80],
      [0xe2, 0x82, 0xac],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90],
      [0xc0, 0xaf],
      [0xff],
      [0xef, 0xbf, 0xbd],
      [0x0a],
    ];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i < 400; i++) {
      const data = Buffer.from(Array.from({ length: 1 + random(6) }, () => pieces[random(pieces.length)]).flat());
      const path = join(dir, `${i}.sql`);
      writeFileSync(path, data);
      let expected: string | undefined;
      try {
        expected = strict.decode(data);
      } catch {
        expected = undefined;
      }
      const read = () => {
        assert.equal(readTextFileLenient(path), new TextDecoder('utf-8').decode(data), `lenient ${data.toString('hex')}`);
        if (expected === undefined) assert.throws(() => readTextFile(path), FileEncodingError, data.toString('hex'));
        else assert.equal(readTextFile(path), expected, `strict ${data.toString('hex')}`);
      };
      read();
      withSteadyDisk(new SteadyDisk(), read);
    }
  });
});
