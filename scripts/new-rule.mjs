// `npm run new-rule NAME`: the four files every lint rule has — the rule
// (server/src/lint/rules/NAME.ts, listed in rules/index.ts), its docs page (docs/rules/NAME.md,
// which every finding links to), its test (test/unit/rules/NAME.test.ts) and the examples its
// reviewed snapshot is rendered from (test/unit/lint/snapshot-cases/NAME.sql). The test and the
// snapshot start out failing: the rule flags nothing yet, and no snapshot has been reviewed.
//
//   node scripts/new-rule.mjs NAME [--root DIR]   (--root: another checkout, for the scaffold's own test)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? resolve(args[rootAt + 1] ?? '') : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = args.filter((_, i) => i !== rootAt && i !== rootAt + 1)[0];

function fail(message) {
  process.stderr.write(`new-rule: ${message}\n`);
  process.exit(2);
}

if (!name) fail('usage: npm run new-rule NAME   (NAME in kebab-case, e.g. ban-drop-database)');
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) fail(`"${name}" is not a rule id: lower-case words joined by hyphens, e.g. ban-drop-database`);

const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const paths = {
  rule: join(root, 'server', 'src', 'lint', 'rules', `${name}.ts`),
  index: join(root, 'server', 'src', 'lint', 'rules', 'index.ts'),
  doc: join(root, 'docs', 'rules', `${name}.md`),
  test: join(root, 'test', 'unit', 'rules', `${name}.test.ts`),
  snapshotCases: join(root, 'test', 'unit', 'lint', 'snapshot-cases', `${name}.sql`),
};
if (!existsSync(paths.index)) fail(`${paths.index} not found: run this in a Tidemark checkout`);
for (const key of ['rule', 'doc', 'test', 'snapshotCases']) if (existsSync(paths[key])) fail(`${paths[key]} already exists: the rule ${name} is there`);

const index = readFileSync(paths.index, 'utf8');
const lastImport = [...index.matchAll(/^import \w+ from '\.\/[^']+';\n/gm)].pop();
const listEnd = index.indexOf('\n];', index.indexOf('export const allRules'));
if (!lastImport || listEnd < 0) fail(`${paths.index} no longer has the shape this script edits (imports, then "export const allRules = [...]"); list the rule by hand`);
const importAt = lastImport.index + lastImport[0].length;
const withRule = index.slice(0, importAt) + `import ${camel} from './${name}';\n` + index.slice(importAt, listEnd) + `\n  ${camel},` + index.slice(listEnd);

const rule = `import type { Rule } from '../types';
import { nodeType } from '../../sql/statements';

/**
 * Why ${name} exists: what goes wrong in production when a migration does what it flags.
 * (Write it here; the docs page says the same for users.)
 */
const rule: Rule = {
  id: '${name}',
  defaultSeverity: 'warning',
  summary: 'One sentence: what this rule flags, for the rule index and SARIF.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        // Decide from the parse tree (statement.node), and read unit.execution for how the
        // migration will run rather than asking which tool wrote it.
        if (nodeType(statement.node) !== 'ReplaceWithTheStatementType') continue;
        report({ section, statement, message: 'What is wrong, why it hurts, and what to write instead.' });
      }
    }
  },
};

export default rule;
`;

const doc = `# ${name}

Default severity: **warning** · Quick fix: no

## What it flags

The statements this rule flags, and those it leaves alone.

## Why it hurts in production

What happens on a live database: the lock taken, the rows touched, what breaks.

## Safe alternative

What to write instead.

## Example

\`\`\`sql
-- flagged
SELECT 1;
\`\`\`

## Suppress

\`\`\`sql
-- tidemark-ignore ${name}
SELECT 1;
\`\`\`

or \`-- tidemark-ignore-file ${name}\`, or \`"${name}": "off"\` in \`tidemark.json\`.
`;

const test = `import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = '${name}';

describe(\`rule \${RULE}\`, () => {
  before(ensureParser);

  // Fails until the rule is written: replace the SQL with what the rule must flag.
  it('flags the statement it is about, underlining what is wrong', () => {
    const sql = 'SELECT 1;';
    const findings = lintSql(sql, RULE);
    assert.deepEqual(findings.map((f) => flagged(sql, f)), ['SELECT 1']);
  });

  it('does not flag the safe alternative', () => {
    assert.deepEqual(lintSql('SELECT 2;', RULE), []);
  });
});
`;

const snapshotCases = `-- The examples of ${name} rendered into test/unit/lint/__snapshots__/${name}.snap: each
-- "-- case: NAME" is a migration the rule must flag (format: test/support/rule-snapshots.ts).
-- Replace the SQL with what the rule is about, then render and review the snapshot:
--   UPDATE_SNAPSHOTS=1 node node_modules/mocha/bin/mocha.js --require ./test/test-cleanup-hooks.cjs --exit out/test/unit/lint/rule-snapshots.test.js
-- case: the statement it is about
SELECT 1;
`;

mkdirSync(dirname(paths.doc), { recursive: true });
mkdirSync(dirname(paths.snapshotCases), { recursive: true });
mkdirSync(dirname(paths.test), { recursive: true });
writeFileSync(paths.rule, rule);
writeFileSync(paths.doc, doc);
writeFileSync(paths.test, test);
writeFileSync(paths.snapshotCases, snapshotCases);
writeFileSync(paths.index, withRule);
const shown = (path) => path.slice(root.length + 1);
process.stdout.write(
  [
    `wrote ${shown(paths.rule)} (listed in ${shown(paths.index)}), ${shown(paths.doc)}, ${shown(paths.test)} and ${shown(paths.snapshotCases)}.`,
    'Next: write the rule until its test passes (it fails now, on purpose), fill in the docs page,',
    'then `npm run docs:rules` to add it to docs/rules/README.md. Put the examples the rule flags in',
    'the snapshot cases and render the snapshot with UPDATE_SNAPSHOTS=1 (CONTRIBUTING.md); review it.',
    '',
  ].join('\n'),
);
