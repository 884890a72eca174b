/**
 * Every diagnostic links to docs/rules/ID.md, so every rule needs a complete page, and the index
 * docs/rules/README.md must list exactly the rules that exist (scripts/rule-index.mjs writes it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../../../server/src/lint/rules';
import { replayRules } from '../../../server/src/findings/replay-rules';
import { repoRoot } from '../../support/paths';

const docsDir = join(repoRoot, 'docs', 'rules');

/** The sections a rule page must have, by what its heading talks about. */
const REQUIRED_SECTIONS: Array<{ what: string; heading: RegExp }> = [
  { what: 'what it flags', heading: /flags/i },
  { what: 'why it hurts in production', heading: /why/i },
  { what: 'the safe alternative', heading: /alternative/i },
  { what: 'an example', heading: /example/i },
  { what: 'how to suppress', heading: /suppress/i },
];

/** Level-2 headings with the text under each. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## +/m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    out.set(part.slice(0, newline < 0 ? undefined : newline).trim(), newline < 0 ? '' : part.slice(newline + 1));
  }
  return out;
}

describe('docs/rules', function () {
  this.timeout(60_000);

  it('README.md indexes exactly the rules in allRules (npm run docs:rules regenerates it)', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'rule-index.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stderr}${result.stdout}`);
    const index = readFileSync(join(docsDir, 'README.md'), 'utf8');
    for (const rule of allRules) assert.ok(index.includes(`[\`${rule.id}\`](${rule.id}.md)`), `index lists ${rule.id}`);
  });

  // The replay check's findings link to docs/rules/ID.md too.
  for (const rule of [...allRules, ...replayRules]) {
    it(`${rule.id}.md explains the rule: flags, why, safe alternative, example, suppression`, () => {
      const path = join(docsDir, `${rule.id}.md`);
      assert.ok(existsSync(path), `docs/rules/${rule.id}.md is missing: every diagnostic links to it`);
      const page = readFileSync(path, 'utf8');
      assert.match(page, new RegExp(`^# +\`?${rule.id}\`?\\s*$`, 'm'), `${rule.id}.md starts with the rule id as its title`);
      const found = sections(page);
      for (const { what, heading } of REQUIRED_SECTIONS) {
        const entry = [...found.entries()].find(([title]) => heading.test(title));
        assert.ok(entry, `${rule.id}.md has a section on ${what} (headings: ${[...found.keys()].join(' | ')})`);
        assert.ok(entry[1].trim().length > 0, `${rule.id}.md: the section "${entry[0]}" is empty`);
      }
      const example = [...found.entries()].find(([title]) => /example/i.test(title))![1];
      assert.match(example, /```sql\n[\s\S]*?\n```/, `${rule.id}.md: the example holds a sql code block`);
      const links = [...page.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/i.test(href));
      const broken = links.filter((href) => !existsSync(join(docsDir, decodeURIComponent(href))));
      assert.deepEqual(broken, [], `${rule.id}.md links to missing files`);
      const suppress = [...found.entries()].find(([title]) => /suppress/i.test(title))![1];
      assert.ok(suppress.includes(`tidemark-ignore ${rule.id}`) || suppress.includes(`"${rule.id}"`), `${rule.id}.md shows how to suppress ${rule.id}`);
    });
  }
});
