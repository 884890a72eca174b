/**
 * A section is tokenized once and parsed in one libpg-query call and cut into per-statement trees (much cheaper than
 * one call per statement). Rules read positions from those trees, so they must be exactly what a
 * parse of each statement alone gives — including every location field the parser writes, which a
 * parser upgrade could extend. This compares the two on every SQL file in the repository.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSync } from 'libpg-query';
import { ensureParser } from '../../support/parse';
import { parseSpans } from '../../../server/src/sql/parse';
import { splitStatements } from '../../../server/src/sql/split';
import { knownTokens, sqlTokens } from '../../../server/src/sql/tokens';
import { repoRoot } from '../../support/paths';

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name.startsWith('.') ? [] : sqlFiles(path);
    return name.endsWith('.sql') ? [path] : [];
  });
}

/** Makes every statement's text unique (a comment before its end), so no cache answers for it. */
function uncachedCopy(text: string, salt: string): string {
  const spans = splitStatements(text);
  let out = '';
  let at = 0;
  spans.forEach((span, i) => {
    const cut = span.terminated ? span.end - 1 : span.end;
    out += text.slice(at, cut) + ` /* ${salt}-${i} */`;
    at = cut;
  });
  return out + text.slice(at);
}

describe('sql/parse: whole-section parses equal per-statement parses', () => {
  before(ensureParser);

  it('gives the same trees, locations included, for every SQL file in the repository', () => {
    const files = [...sqlFiles(join(repoRoot, 'migrations-sample')), ...sqlFiles(join(repoRoot, 'test', 'grammar'))];
    assert.ok(files.length >= 30, `found ${files.length} SQL files`);
    let parsedWhole = 0;
    files.forEach((file, n) => {
      const text = uncachedCopy(readFileSync(file, 'utf8'), `t${n}-${Date.now()}`);
      const spans = splitStatements(text);
      const outcomes = parseSpans(text, spans);
      spans.forEach((span, i) => {
        const alone = text.slice(span.start, span.end);
        let expected: unknown;
        try {
          expected = parseSync(alone).stmts?.[0]?.stmt;
        } catch {
          expected = 'syntax error';
        }
        const got = outcomes[i].ok ? outcomes[i].node : 'syntax error';
        assert.deepEqual(got, expected, `${file}, statement ${i + 1}: ${alone.slice(0, 80)}`);
      });
      // Count the files the one-call path really handled, so this test cannot pass vacuously.
      try {
        if (Buffer.byteLength(text, 'utf8') === text.length && spans.length > 1 && parseSync(text).stmts?.length === spans.length) parsedWhole++;
      } catch {
        /* parsed statement by statement */
      }
    });
    assert.ok(parsedWhole >= 20, `only ${parsedWhole} files went through the whole-section parse`);
  });

  it("keeps the splitter's tokens for each statement exactly as tokenizing the statement alone gives them", () => {
    const files = [...sqlFiles(join(repoRoot, 'migrations-sample')), ...sqlFiles(join(repoRoot, 'test', 'grammar'))];
    let statements = 0;
    files.forEach((file, n) => {
      const text = uncachedCopy(readFileSync(file, 'utf8'), `k${n}-${Date.now()}`);
      for (const span of splitStatements(text)) {
        const alone = text.slice(span.start, span.end);
        // The text caches keep nothing over 64 KB (a bound on the language server's memory): such a
        // statement is tokenized again when asked, never served stale tokens.
        if (alone.length > 64 * 1024) {
          assert.equal(knownTokens(alone), undefined, `${file}: ${alone.slice(0, 80)}`);
          continue;
        }
        assert.deepEqual(knownTokens(alone), sqlTokens(alone), `${file}: ${alone.slice(0, 80)}`);
        statements++;
      }
    });
    assert.ok(statements >= 200, `compared ${statements} statements`);
  });
});
