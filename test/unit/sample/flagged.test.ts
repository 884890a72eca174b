/**
 * migrations-sample/ is the project's living test: every rule has a realistic mistake in flagged/
 * that trips it, and the sample migrations themselves lint clean (deliberate findings carry a
 * `-- tidemark-ignore` with the reason). Linting goes through the same unit builder and engine as
 * the language server and the CLI.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureParser } from '../../../server/src/sql/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { allRules } from '../../../server/src/lint/rules';
import type { Finding } from '../../../server/src/lint/types';
import { loadConfig, type SeveritySetting } from '../../../server/src/migrations/config';
import { listMigrationFiles } from '../../../server/src/migrations/discovery';
import { sampleDir } from '../../support/paths';

const flaggedDir = join(sampleDir, 'flagged');

// The sample's tidemark.json: its runbooks re-run files by hand, so it sets lint.idempotency "require".
const sampleConfig = loadConfig(sampleDir).config;

function lintPath(path: string, severities?: Record<string, SeveritySetting>): Finding[] {
  const unit = buildLintUnit(path, readFileSync(path, 'utf8'));
  return lintUnit(unit, {
    severities,
    policy: sampleConfig.lint,
    // The sample's tidemark.json declares these (unknown-environment checks against them).
    environments: ['sandbox', 'local', 'staging', 'production'],
    onRuleError: (rule, error) => {
      throw new Error(`rule ${rule} threw on ${relative(sampleDir, path)}: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
}

/**
 * The flagged examples of a rule: `flagged/ID.sql`, and the migration folder `flagged/ID/` (for
 * mistakes that need several files: two migrations with one number, an up with its down file).
 */
function examples(ruleId: string): string[][] {
  const sets: string[][] = [];
  const file = join(flaggedDir, `${ruleId}.sql`);
  if (existsSync(file)) sets.push([file]);
  const folder = join(flaggedDir, ruleId);
  if (existsSync(folder) && statSync(folder).isDirectory()) sets.push(listMigrationFiles(folder).map((rel) => join(folder, rel)));
  return sets;
}

function describeFindings(findings: Finding[], text: string): string {
  return findings.map((f) => `${f.rule} (${f.severity}) at "${text.slice(f.start, f.end).slice(0, 60)}": ${f.message}`).join('\n  ') || '(none)';
}

describe('migrations-sample/flagged: a realistic mistake for every rule', () => {
  before(ensureParser);

  for (const rule of allRules) {
    it(`flagged/${rule.id} trips ${rule.id}`, () => {
      const sets = examples(rule.id);
      assert.ok(sets.length, `migrations-sample/flagged/ has no ${rule.id}.sql (or ${rule.id}/ folder): every rule needs a flagged example`);
      for (const files of sets) {
        const fired = files.flatMap((path) => lintPath(path).filter((f) => f.rule === rule.id));
        if (!fired.length) {
          const all = files.map((p) => `${relative(sampleDir, p)}:\n  ${describeFindings(lintPath(p), readFileSync(p, 'utf8'))}`).join('\n');
          assert.fail(`${rule.id} did not fire on its flagged example. Findings were:\n${all}`);
        }
      }
    });
  }

  it('names every example after a rule id (no stale or misspelled examples)', () => {
    const ids = new Set(allRules.map((r) => r.id));
    const names = readdirSync(flaggedDir)
      .filter((name) => name.endsWith('.sql') || statSync(join(flaggedDir, name)).isDirectory())
      .map((name) => name.replace(/\.sql$/, ''));
    const unknown = names.filter((name) => !ids.has(name));
    assert.deepEqual(unknown, [], 'flagged examples whose name is not a rule id');
  });

  it('parses every example except the syntax-error one (a typo must not hide the mistake shown)', () => {
    const names = readdirSync(flaggedDir).filter((n) => n !== 'syntax-error.sql');
    const paths = names.flatMap((n) =>
      n.endsWith('.sql')
        ? [join(flaggedDir, n)]
        : statSync(join(flaggedDir, n)).isDirectory()
          ? listMigrationFiles(join(flaggedDir, n)).map((rel) => join(flaggedDir, n, rel))
          : [],
    );
    assert.ok(paths.length >= 30);
    for (const path of paths) {
      const syntaxErrors = lintPath(path).filter((f) => f.rule === 'syntax-error');
      assert.deepEqual(
        syntaxErrors.map((f) => f.message),
        [],
        relative(sampleDir, path),
      );
    }
  });

  it('puts the duplicate-version example in a folder of two migrations with the same number', () => {
    const [files] = examples('duplicate-version');
    assert.equal(files.length, 2);
    const versions = files.map((f) => /(\d+)_/.exec(f.split('/').pop()!)![1]);
    assert.equal(versions[0], versions[1]);
  });
});

describe('migrations-sample/migrations lint clean', () => {
  before(ensureParser);
  const loaded = loadConfig(sampleDir);
  const files = listMigrationFiles(loaded.migrationsDir).map((rel) => join(loaded.migrationsDir, rel));

  it('the sample config loads without problems', () => {
    assert.deepEqual(loaded.problems, []);
    assert.ok(files.length >= 20, `${files.length} sample files`);
  });

  for (const path of files) {
    const rel = relative(loaded.migrationsDir, path);
    it(`${rel} has no unsuppressed error`, () => {
      const findings = lintPath(path, loaded.config.lint?.rules);
      const errors = findings.filter((f) => f.severity === 'error');
      assert.deepEqual(
        errors.map((f) => f.rule),
        [],
        describeFindings(errors, readFileSync(path, 'utf8')),
      );
    });
  }
});
