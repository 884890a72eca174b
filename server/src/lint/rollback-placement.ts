/**
 * Where a generated rollback goes, for require-rollback's quick fix and the "Generate rollback"
 * refactoring alike, so both write the same text to the same place: into the migration's down
 * part when it has one, else where its layout keeps down sections.
 */
import type { Fix, LintUnit, ParsedSection, TextEdit } from './types';

/**
 * The ways to place `sql` (statements ending in a newline), the one to offer first first. They are
 * offered in the up section's file: the down part is "this file" when it shares it.
 */
export function rollbackPlacements(unit: LintUnit, up: ParsedSection, sql: string): Fix[] {
  const down = unit.down;
  if (down) {
    const inThisFile = down.file.path === up.file.path;
    const edit = intoDown(down, sql);
    const title = down.statements.length === 0 ? 'Generate rollback' : `Regenerate rollback (replace the down ${inThisFile ? 'section' : 'file'})`;
    return [inThisFile ? { title, edits: [edit], preferred: true } : { title, edits: [], otherFileEdits: [{ path: down.file.path, edits: [edit] }], preferred: true }];
  }
  const fixes: Fix[] = [];
  if (unit.downFilePath) {
    const shown = unit.downFilePath.split(/[\\/]/).slice(-2).join('/');
    fixes.push({ title: `Generate rollback file (${shown})`, edits: [], createFiles: [{ path: unit.downFilePath, text: sql }], preferred: true });
  }
  if (unit.layout === 'sections' && unit.downMarker) {
    fixes.push({
      title: unit.downFilePath ? 'Generate rollback as a down section' : 'Generate rollback',
      edits: [downSectionAfter(up, sql, unit.downMarker)],
      preferred: !unit.downFilePath,
    });
  }
  return fixes;
}

/**
 * A down section without statements (comments, a TODO) is added to, keeping what it says; one with
 * statements is replaced, which is what regenerating means.
 */
function intoDown(down: ParsedSection, sql: string): TextEdit {
  const end = down.offset + down.text.length;
  if (down.statements.length > 0) return { start: down.offset, end, newText: sql };
  const text = down.file.text;
  return { start: end, end, newText: `${end > 0 && text[end - 1] !== '\n' ? '\n' : ''}${sql}` };
}

/** A `-- migrate:down` section right after the up section, before a verify section that may follow. */
function downSectionAfter(up: ParsedSection, sql: string, marker: string): TextEdit {
  const text = up.file.text;
  const upEnd = up.offset + up.text.length;
  const lead = upEnd > 0 && text[upEnd - 1] !== '\n' ? '\n' : '';
  const gap = upEnd > 0 && !text.slice(0, upEnd).endsWith('\n\n') ? '\n' : '';
  const trail = upEnd < text.length ? '\n' : '';
  return { start: upEnd, end: upEnd, newText: `${lead}${gap}${marker}\n${sql}${trail}` };
}
