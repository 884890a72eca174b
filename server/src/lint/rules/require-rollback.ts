import type { Fix, LintUnit, ParsedSection, Rule } from '../types';
import { changesDatabase, generateRollback } from '../rollback-generator';

/**
 * A migration without a rollback turns a bad deploy into an outage: there is nothing to run, and
 * the reversal gets written by hand under pressure. The fix writes one with "Generate rollback".
 */
const rule: Rule = {
  id: 'require-rollback',
  defaultSeverity: 'warning',
  summary: 'A migration without a down section or rollback file cannot be rolled back.',
  check(unit, report) {
    const up = unit.up;
    if (!up || up.file.path !== unit.file.path) return;
    if (unit.down && unit.down.statements.length > 0) return;
    // Queries, settings and text that does not parse leave nothing to roll back.
    if (!up.statements.some(changesDatabase)) return;
    const first = up.statements[0];
    const lineEnd = up.file.text.indexOf('\n', first.start);
    const end = Math.min(first.end, lineEnd < 0 ? first.end : lineEnd);
    const missing = unit.down ? `its ${unit.down.file.path === unit.file.path ? 'down section' : 'rollback file'} is empty` : 'it has no down section or rollback file';
    report({
      section: up,
      statement: first,
      start: first.start,
      end,
      message: `This migration cannot be rolled back: ${missing}. Add the statements that undo it ("Generate rollback" writes them).`,
      fixes: () => rollbackFixes(unit, up),
    });
  },
};

function downText(up: ParsedSection): string {
  const { sql } = generateRollback(up);
  return sql || '-- TODO: nothing in the up section could be reversed automatically; write the rollback here.\n';
}

/** Where the generated rollback goes: the empty down part if there is one, else the layout's place for it. */
function rollbackFixes(unit: LintUnit, up: ParsedSection): Fix[] {
  const sql = downText(up);
  const title = 'Generate rollback';
  const down = unit.down;
  if (down) {
    const at = down.offset + down.text.length;
    const text = down.file.text;
    const newText = `${at > 0 && text[at - 1] !== '\n' ? '\n' : ''}${sql}`;
    const edit = { start: at, end: at, newText };
    return [down.file.path === unit.file.path ? { title, edits: [edit], preferred: true } : { title, edits: [], otherFileEdits: [{ path: down.file.path, edits: [edit] }], preferred: true }];
  }
  const fixes: Fix[] = [];
  if (unit.downFilePath) fixes.push({ title: `${title} (${unit.downFilePath.split(/[\\/]/).slice(-2).join('/')})`, edits: [], createFiles: [{ path: unit.downFilePath, text: sql }], preferred: true });
  if (unit.layout === 'sections') {
    const text = unit.file.text;
    const upEnd = up.offset + up.text.length;
    // After the up section, before a verify section that may follow it.
    const lead = upEnd > 0 && text[upEnd - 1] !== '\n' ? '\n' : '';
    const gap = upEnd > 0 && !text.slice(0, upEnd).endsWith('\n\n') ? '\n' : '';
    const trail = upEnd < text.length ? '\n' : '';
    fixes.push({
      title: unit.downFilePath ? `${title} as a down section` : title,
      edits: [{ start: upEnd, end: upEnd, newText: `${lead}${gap}-- migrate:down\n${sql}${trail}` }],
      preferred: !unit.downFilePath,
    });
  }
  return fixes;
}

export default rule;
