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
    const unit = buildLintUnit(path, readFileSync(path, 'utf8'));
    found = new Set(lintUnit(unit).map((f) => `${f.rule}@${unit.file.positionAt(f.start).line + 1}`));
    reportedCache.set(path, found);
  }
  return found;
}

const isReported = (j: Judged) => reported(j.project, j.file).has(`${j.rule}@${j.line}`);
const describeRow = (j: Judged) => `${j.project}/${j.file}:${j.line} ${j.rule} — ${j.reason}`;
/** False positives that go away once the layout readers (goose, sqlx, diesel, Prisma, Drizzle) describe these files. */
const awaitsLayouts = (j: Judged) => j.reason.startsWith('awaits the ');

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
    assert.deepEqual(sample.filter((j) => j.verdict === 'false' && !awaitsLayouts(j) && isReported(j)).map(describeRow), []);
  });

  it('no longer reports the false positives that wait for the layout readers', function () {
    const still = sample.filter((j) => j.verdict === 'false' && awaitsLayouts(j) && isReported(j));
    // Pending, not passed: until the layout readers land these files are read by file name (test/corpus/PROVENANCE.md).
    if (still.length) this.skip();
  });
});
