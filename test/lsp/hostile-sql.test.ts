/**
 * Fuzzing the parser through the real front ends: seeded hostile SQL (expressions deep enough to
 * overflow the parser's stack, 600 KB single-line expressions, deeply nested SELECTs, random bytes)
 * sent to the language server over stdio and linted by the CLI as a folder; afterwards a valid
 * document must still get exactly the findings it gets from a fresh process.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codes, tempWorkspace, TestLspClient } from '../support/lsp-client';
import { tidemark } from '../support/cli';
import { scratchDir } from '../support/test-cleanup';
import { generators, hostileDocuments, longSum, seededRandom } from '../support/hostile-sql';

const VALID = 'ALTER TABLE orders DROP COLUMN note;\n';
/** Bounded so the test fits in `npm test`; TIDEMARK_FUZZ_COUNT raises it for a longer run. */
const COUNT = Number(process.env.TIDEMARK_FUZZ_COUNT ?? 24);
const SEED = Number(process.env.TIDEMARK_FUZZ_SEED ?? 25);

/** Resident memory of a process in MB (Linux). */
function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function lintJson(stdout: string): Array<{ file: string; rule: string; message: string }> {
  return JSON.parse(stdout) as Array<{ file: string; rule: string; message: string }>;
}

describe('hostile SQL: the parser recovers', function () {
  this.timeout(240_000);

  describe('language server over stdio', () => {
    let client: TestLspClient;
    let dir: string;
    beforeEach(async () => {
      dir = tempWorkspace({});
      client = new TestLspClient({ workspaceFolder: dir });
      await client.initialize();
    });
    afterEach(async () => client?.dispose());

    it(`a valid document keeps exactly its findings after ${COUNT} hostile documents (seed ${SEED})`, async () => {
      const before = client.open(join(dir, 'migrations', '000_before.sql'), VALID);
      const expected = codes(await client.diagnosticsFor(before, 1));
      assert.ok(expected.includes('ban-drop-column'), JSON.stringify(expected));
      const documents = hostileDocuments(SEED, COUNT);
      for (let i = 0; i < documents.length; i++) {
        const u = client.open(join(dir, 'migrations', `${String(i + 1).padStart(3, '0')}_hostile.sql`), documents[i].text);
        const diagnostics = await client.diagnosticsFor(u, 1, 60_000);
        // A memory-access or stack message as a syntax error means the parser broke.
        for (const d of diagnostics.filter((x) => x.code !== 'statement-too-complex')) {
          assert.doesNotMatch(
            String(d.message),
            /memory access out of bounds|call stack|function signature|table index|restarting/i,
            `${documents[i].kind}: ${d.code} ${d.message}`,
          );
        }
        client.close(u);
      }
      const after = client.open(join(dir, 'migrations', '999_after.sql'), VALID);
      assert.deepEqual(codes(await client.diagnosticsFor(after, 1)), expected);
      assert.equal(client.child.exitCode, null);
    });

    it('reports 20,000 terms of valid SQL as statement-too-complex, not a syntax error, and lints the rest', async () => {
      const text = `${VALID}${longSum(20_000)}${longSum(20_001)}ALTER TABLE accounts DROP COLUMN legacy;\n`;
      for (let round = 0; round < 3; round++) {
        const u = client.open(join(dir, 'migrations', `01${round}_long.sql`), text);
        // The first publish may come while the parser is replaced after two traps; the re-lint follows.
        const diagnostics = await client.diagnostics(u, (d) => d.filter((x) => x.code === 'ban-drop-column').length === 2, 0, 60_000);
        assert.deepEqual(
          diagnostics.filter((d) => d.code === 'statement-too-complex' || d.code === 'syntax-error' || d.code === 'ban-drop-column').map((d) => [d.code, d.range.start.line]),
          [
            ['ban-drop-column', 0],
            ['statement-too-complex', 1],
            ['statement-too-complex', 2],
            ['ban-drop-column', 3],
          ],
        );
        client.close(u);
      }
    });

    it('does not keep what closed documents cost: memory stops growing', async function () {
      // Nested SELECTs of about 45 KB, each tokenized and kept in the caches: a cache bounded only by
      // its count of entries kept about 1.3 MB per document, for good (80 documents: +100 MB).
      const pid = client.child.pid!;
      const samples: number[] = [];
      const total = 120;
      for (let i = 0; i < total; i++) {
        const depth = 2_500 + ((i * 37) % 500);
        const u = client.open(join(dir, 'migrations', `${String(100 + i)}_nested.sql`), `SELECT * FROM ${'(SELECT * FROM '.repeat(depth)}t${i}${') s'.repeat(depth)};\n`);
        await client.diagnosticsFor(u, 1, 60_000);
        client.close(u);
        samples.push(residentMb(pid));
      }
      // The garbage collector makes a sawtooth; its low points show what stays. The caches fill
      // during the first 30 documents, so growth is measured from there.
      const low = (from: number, to: number) => Math.min(...samples.slice(from, to));
      const filled = low(30, 60);
      const late = low(total - 30, total);
      console.log(
        `      language server RSS (lowest of 30 documents): ${samples[0].toFixed(0)} MB after the first, ${filled.toFixed(0)} MB after 60, ${late.toFixed(0)} MB after ${total} opened and closed (highest ${Math.max(...samples).toFixed(0)} MB)`,
      );
      assert.ok(late - filled < 40, `the server kept ${(late - filled).toFixed(0)} MB over 60 closed documents`);
    });
  });

  describe('tidemark lint over a folder', () => {
    it(`lints every file after ${COUNT} hostile files, and the valid one exactly as alone`, async () => {
      const alone = scratchDir('hostile-alone-');
      mkdirSync(join(alone, 'migrations'));
      writeFileSync(join(alone, 'migrations', '999_valid.sql'), VALID);
      const expected = lintJson((await tidemark(alone, ['lint', '--format', 'json'])).stdout).map((f) => f.rule);
      assert.ok(expected.includes('ban-drop-column'));

      const dir = scratchDir('hostile-');
      mkdirSync(join(dir, 'migrations'));
      hostileDocuments(SEED, COUNT).forEach((d, i) => writeFileSync(join(dir, 'migrations', `${String(i + 1).padStart(3, '0')}_hostile.sql`), d.text));
      // Deep expressions in several files in a row: each costs the parser an instance.
      for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'migrations', `${500 + i}_deep.sql`), generators.deepExpression(seededRandom(i)).text);
      writeFileSync(join(dir, 'migrations', '999_valid.sql'), VALID);
      const result = await tidemark(dir, ['lint', '--format', 'json']);
      assert.equal(result.code, 1, result.stderr);
      const findings = lintJson(result.stdout);
      assert.deepEqual(
        findings.filter((f) => f.file.endsWith('999_valid.sql')).map((f) => f.rule),
        expected,
      );
      for (let i = 0; i < 6; i++) {
        assert.deepEqual(
          findings.filter((f) => f.file.endsWith(`${500 + i}_deep.sql`)).map((f) => f.rule),
          ['statement-too-complex'],
        );
      }
      const broken = findings.filter(
        (f) => /memory access out of bounds|call stack|function signature|table index|restarting/i.test(f.message) && f.rule !== 'statement-too-complex',
      );
      assert.deepEqual(broken, []);
    });
  });
});
