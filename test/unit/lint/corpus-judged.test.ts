/**
 * The judged sample of the real-world corpus (test/corpus/judged.tsv, `npm run corpus`): every
 * finding a reviewer judged true is still reported, and every one judged false stays gone. The
 * files are linted as `npm run corpus` lints them: each up file by path, through the same unit
 * builder and engine as `tidemark lint`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../support/lint';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { loadConfig } from '../../../server/src/migrations/config';
import { repoRoot } from '../../support/paths';

interface Judged {
  project: string;
  file: string;
  line: number;
  rule: string;
  verdict: 'true' | 'false' | 'debatable';
  reason: string;
}

const corpus = join(repoRoot, 'test', 'corpus');

function judgedSample(): Judged[] {
  const [header, ...lines] = readFileSync(join(corpus, 'judged.tsv'), 'utf8').split('\n').filter(Boolean);
  assert.equal(header, 'project\tfile\tline\trule\tverdict\treason');
  return lines.map((line, i) => {
    const [project, file, lineNo, rule, verdict, reason] = line.split('\t');
    assert.ok(['true', 'false', 'debatable'].includes(verdict), `judged.tsv line ${i + 2}: verdict "${verdict}" is not true, false or debatable`);
    assert.ok(reason?.trim(), `judged.tsv line ${i + 2}: no reason`);
    return { project, file, line: Number(lineNo), rule, verdict: verdict as Judged['verdict'], reason };
  });
}

/** `rule@line` of every finding in the file, as `tidemark lint FILE` reports it. */
const reportedCache = new Map<string, Set<string>>();
function reported(project: string, file: string): Set<string> {
  const path = join(corpus, project, file);
  let found = reportedCache.get(path);
  if (!found) {
    // The project's tidemark.json, where it has one (atuin names its layout), as `tidemark lint` reads it.
    const { config } = loadConfig(join(corpus, project));
    const unit = buildLintUnit(path, readFileSync(path, 'utf8'), undefined, { layout: config.layout });
    const findings = lintUnit(unit, { severities: config.lint?.rules, policy: config.lint });
    found = new Set(findings.map((f) => `${f.rule}@${unit.file.positionAt(f.start).line + 1}`));
    reportedCache.set(path, found);
  }
  return found;
}

const isReported = (j: Judged) => reported(j.project, j.file).has(`${j.rule}@${j.line}`);
const describeRow = (j: Judged) => `${j.project}/${j.file}:${j.line} ${j.rule} — ${j.reason}`;

describe('corpus: the judged sample', () => {
  before(ensureParser);
  const sample = judgedSample();

  it('holds at least 200 judged findings covering every rule that fires on the corpus', () => {
    assert.ok(sample.length >= 200, `${sample.length} judged`);
    assert.ok(new Set(sample.map((j) => j.rule)).size >= 15);
  });

  it('still reports every finding judged true', () => {
    assert.deepEqual(sample.filter((j) => j.verdict === 'true' && !isReported(j)).map(describeRow), []);
  });

  it('no longer reports any finding judged false', () => {
    // Those judged before the layout readers existed ("awaits the ... layout reader") included.
    assert.deepEqual(sample.filter((j) => j.verdict === 'false' && isReported(j)).map(describeRow), []);
  });
});
