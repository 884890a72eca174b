import type { Constraint } from '@pgsql/types';
import type { ParsedSection, Rule, TextEdit } from '../types';
import { qualifiedName, quoteIdentifier, stringList } from '../../sql/names';
import { alterTableCommands } from '../alter-table-commands';
import { tableCreatedEarlier } from '../created-in-migration';
import { constraintName, tableAsWritten } from '../alter-table-fix';
import { insertAfter } from '../statement-rewrite';

/**
 * Adding a FOREIGN KEY or CHECK validates every existing row while the ALTER TABLE holds its
 * lock. Added NOT VALID it only checks new writes; VALIDATE CONSTRAINT then checks the old rows
 * under SHARE UPDATE EXCLUSIVE, which lets reads and writes through.
 */
const rule: Rule = {
  id: 'constraint-missing-not-valid',
  defaultSeverity: 'warning',
  summary: 'A FOREIGN KEY or CHECK added to an existing table without NOT VALID scans it under lock.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      const text = section.file.text;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd } = command;
        if (cmd.subtype === 'AT_AddColumn') {
          referencesOnNewColumn(section, command, (message) => report({ section, statement, ...command.range, message }));
          continue;
        }
        if (cmd.subtype !== 'AT_AddConstraint') continue;
        const con = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
        if (!con || (con.contype !== 'CONSTR_FOREIGN' && con.contype !== 'CONSTR_CHECK') || con.skip_validation) continue;
        if (tableCreatedEarlier(section, statement, alter.relation!)) continue;
        const table = qualifiedName(alter.relation!);
        const foreign = con.contype === 'CONSTR_FOREIGN';
        const referenced = foreign && con.pktable ? qualifiedName(con.pktable) : undefined;
        const message = foreign
          ? `Adding a FOREIGN KEY to existing table ${table} validates every row under a SHARE ROW EXCLUSIVE lock on ${table} and ${referenced}, blocking their writes until the scan ends; add it NOT VALID, then VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE: reads and writes continue), ideally in a separate transaction.`
          : `Adding a CHECK constraint to existing table ${table} validates every row under an ACCESS EXCLUSIVE lock, blocking reads and writes until the scan ends; add it NOT VALID, then VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE: reads and writes continue), ideally in a separate transaction.`;
        report({ section, statement, ...command.range, message, fixes: () => notValidFix(text, command, con, table) });
      }
    }
  },
};

/**
 * ADD COLUMN ... REFERENCES on an existing table: the new column is all NULL, but the foreign key
 * is still checked by a scan of the table under SHARE ROW EXCLUSIVE on both tables, and a column
 * constraint cannot be written NOT VALID.
 */
function referencesOnNewColumn(section: ParsedSection, command: Parameters<typeof tableAsWritten>[1], report: (message: string) => void): void {
  const { statement, alter, cmd } = command;
  const def = (cmd.def as { ColumnDef?: { colname?: string; constraints?: Array<{ Constraint?: Constraint }> } } | undefined)?.ColumnDef;
  const foreign = def?.constraints?.map((c) => c.Constraint).find((c) => c?.contype === 'CONSTR_FOREIGN');
  if (!def?.colname || !foreign || !alter.relation) return;
  if (tableCreatedEarlier(section, statement, alter.relation)) return;
  const table = qualifiedName(alter.relation);
  const referenced = foreign.pktable ? qualifiedName(foreign.pktable) : 'the referenced table';
  report(
    `Adding column ${def.colname} with REFERENCES ${referenced} to existing table ${table} checks the foreign key with a scan of ${table} under SHARE ROW EXCLUSIVE on both tables, blocking their writes until it ends; add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY (${def.colname}) REFERENCES ${referenced} NOT VALID, then VALIDATE CONSTRAINT.`,
  );
}

function notValidFix(text: string, command: Parameters<typeof tableAsWritten>[1], con: Constraint, table: string) {
  if (command.statement.embedding || !command.ranges || con.location === undefined) return [];
  const edits: TextEdit[] = [];
  let name = con.conname;
  if (!name) {
    // Name it as PostgreSQL would, so VALIDATE CONSTRAINT can refer to it.
    const relname = command.alter.relation!.relname ?? table;
    name = con.contype === 'CONSTR_FOREIGN' ? constraintName(relname, ...stringList(con.fk_attrs), 'fkey') : constraintName(relname, firstColumn(con.raw_expr) ?? '', 'check');
    const at = command.statement.offsetOf(con.location);
    edits.push({ start: at, end: at, newText: `CONSTRAINT ${quoteIdentifier(name)} ` });
  }
  const validate = insertAfter(text, command.statement, [`ALTER TABLE ${tableAsWritten(text, command)} VALIDATE CONSTRAINT ${quoteIdentifier(name)}`]);
  // A last statement without a semicolon ends where the command does: one insertion keeps the order certain.
  if (validate.start === command.range.end) edits.push({ ...validate, newText: ` NOT VALID${validate.newText}` });
  else edits.push({ start: command.range.end, end: command.range.end, newText: ' NOT VALID' }, validate);
  return [{ title: 'Add the constraint NOT VALID, then VALIDATE CONSTRAINT', edits, preferred: true }];
}

/** The first column an expression mentions, which PostgreSQL uses to name an unnamed CHECK. */
function firstColumn(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const ref = (node as { ColumnRef?: { fields?: unknown[] } }).ColumnRef;
  if (ref) {
    const fields = stringList(ref.fields ?? []);
    return fields[fields.length - 1];
  }
  for (const value of Object.values(node)) {
    const found = firstColumn(value);
    if (found) return found;
  }
  return undefined;
}
export default rule;
