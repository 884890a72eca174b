/**
 * The columns ALTER TABLE ... ADD COLUMN adds to tables that already exist (not created earlier in
 * the same section), with their constraints: what the rules about adding columns to live tables
 * (rewrites, NOT NULL without default, foreign-key scans) all start from.
 */
import type { ColumnDef, Constraint } from '@pgsql/types';
import { alterTableCommands, type AlterTableCommand } from './alter-table-commands';
import { tableCreatedEarlier } from './created-in-migration';
import type { ParsedSection } from './types';

export interface AddedColumn {
  command: AlterTableCommand;
  def: ColumnDef & { colname: string };
  constraints: Constraint[];
}

export function columnsAddedToExistingTables(section: ParsedSection): AddedColumn[] {
  const added: AddedColumn[] = [];
  for (const command of alterTableCommands(section)) {
    const { statement, alter, cmd } = command;
    if (cmd.subtype !== 'AT_AddColumn') continue;
    const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
    if (!def?.colname || !alter.relation || tableCreatedEarlier(section, statement, alter.relation)) continue;
    const constraints = (def.constraints ?? []).map((c) => (c as { Constraint?: Constraint }).Constraint).filter((c): c is Constraint => !!c);
    added.push({ command, def: def as AddedColumn['def'], constraints });
  }
  return added;
}
