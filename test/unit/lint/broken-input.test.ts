/**
 * What an editor sends while the user types: every prefix of a real migration, and migrations
 * with bytes knocked out. No rule may throw (a throwing rule loses its findings for the whole
 * file), and every finding and fix must stay inside the text.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../../server/src/sql/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { sampleDir } from '../../support/paths';

function lintStrict(path: string, text: string) {
  const errors: string[] = [];
  const findings = lintUnit(buildLintUnit(path, text), { onRuleError: (rule, error) => errors.push(`${rule}: ${error instanceof Error ? error.stack : String(error)}`) });
  // Fixes are computed when first read; a code action would read them, so read them all here.
  const fixCount = findings.reduce((n, f) => n + f.fixes.length, 0);
  return { findings, errors, fixCount };
}

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const examples = readdirSync(join(sampleDir, 'flagged'))
  .filter((name) => name.endsWith('.sql'))
  .map((name) => join(sampleDir, 'flagged', name));

describe('lint rules on half-typed and corrupted migrations', () => {
  before(ensureParser);

  it('no rule throws on any prefix of the flagged examples, and findings stay inside the text', () => {
    let checked = 0;
    for (const path of examples) {
      const full = readFileSync(path, 'utf8');
      const step = Math.max(1, Math.floor(full.length / 60));
      for (let cut = 0; cut <= full.length; cut += step) {
        const text = full.slice(0, cut);
        const { findings, errors } = lintStrict(path, text);
        assert.deepEqual(errors, [], `${path} cut at ${cut}`);
        for (const f of findings) {
          // syntax-error marks "unexpected end of input" as one character past the end; editors clamp it.
          const limit = f.rule === 'syntax-error' && f.start === text.length ? text.length + 1 : text.length;
          assert.ok(f.start >= 0 && f.start <= f.end && f.end <= limit, `${f.rule} range ${f.start}-${f.end} outside ${text.length} (${path} cut at ${cut})`);
          for (const fix of f.fixes)
            for (const e of fix.edits) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `${f.rule} fix "${fix.title}" edits ${e.start}-${e.end}`);
        }
        checked++;
      }
    }
    assert.ok(checked > examples.length * 30);
  });

  it('no rule throws when characters are deleted or replaced with quotes, dollars and semicolons', () => {
    const next = random(20261126);
    const noise = ["'", '$$', ';', '(', ')', '"', '$q$', '\u0000', 'é', 'DO ', 'BEGIN', '--'];
    let fixes = 0;
    for (const path of examples) {
      const full = readFileSync(path, 'utf8');
      for (let round = 0; round < 15; round++) {
        let text = full;
        for (let k = 0; k < 4; k++) {
          const at = Math.floor(next() * text.length);
          const len = Math.floor(next() * 6);
          text = text.slice(0, at) + (next() < 0.5 ? noise[Math.floor(next() * noise.length)] : '') + text.slice(at + len);
        }
        const { errors, fixCount } = lintStrict(path, text);
        assert.deepEqual(errors, [], `${path}, round ${round}:\n${text}`);
        fixes += fixCount;
      }
    }
    assert.ok(fixes > examples.length * 15, `only ${fixes} fixes computed`);
  });
});
