/**
 * How an environment's tracking reads in words — status, the tree and apply's refusal say the
 * same sentence. Free of database and file access, so the VS Code client can import it.
 */
import type { Migration } from '../../migrations/types';
import { classifyFile, compareVersionKeys, versionKey } from '../../migrations/version';
import type { EnvironmentTracking, ForeignHistory } from '../../protocol';

export const qualifiedName = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/** "not tracked by Tidemark yet; dbmate's public.schema_migrations lists 001–006; 14 tables exist". */
export function describeTracking(t: EnvironmentTracking, migrations: Array<Pick<Migration, 'version' | 'name'>>): string | undefined {
  const foreignText =
    t.foreign &&
    `${toolLabel(foreignParts(t.foreign.tool, t.foreign.table))} lists ${versionRange(t.foreign.versions, migrations)}${t.foreign.failed?.length ? ` (${t.foreign.failed.join(', ')} failed)` : ''}`;
  if (t.state === 'managed' && t.managedBy) {
    const by = toolLabel(foreignParts(t.managedBy.tool, t.managedBy.table));
    return `managed by ${t.managedBy.tool}: states read from ${by}; ${
      t.managedBy.writable
        ? `apply and rollback record there as ${t.managedBy.tool} does (compatibility mode)`
        : `read-only for Tidemark: apply with ${t.managedBy.command ? `\`${t.managedBy.command}\`` : t.managedBy.tool}, or move to Tidemark's history with \`tidemark adopt --from ${t.managedBy.tool}\``
    }`;
  }
  if (t.state === 'untracked') {
    const other =
      t.foreign && t.filesLayout
        ? `${toolLabel(foreignParts(t.foreign.tool, t.foreign.table))} is not the history of these ${t.filesLayout} files: reported, not read as their state`
        : undefined;
    return ['not tracked by Tidemark yet', other ?? foreignText, t.objects ? `${t.objects} ${t.objects === 1 ? 'table exists' : 'tables exist'}` : undefined]
      .filter(Boolean)
      .join('; ');
  }
  if (t.state === 'tracked' && t.notInHistory?.length && t.foreign) {
    return `warning: ${toolLabel(foreignParts(t.foreign.tool, t.foreign.table))} lists ${t.notInHistory.join(', ')}, not in Tidemark's history: is another migration tool still applying here?`;
  }
  return undefined;
}

export function foreignParts(tool: ForeignHistory['tool'], table: string) {
  const dot = table.indexOf('.');
  return { tool, schema: table.slice(0, dot), table: table.slice(dot + 1) };
}

/**
 * The migration file a foreign version stands for: by version (`20251126000001`, golang-migrate's
 * `1` for `000001_x.up.sql`, Flyway's `1.2`), by file base name (`006_add_integration_configs_table`)
 * or, for sqitch's change names, by name.
 */
export function matchMigration<M extends Pick<Migration, 'version' | 'name'>>(version: string, migrations: M[]): M | undefined {
  const classified = classifyFile(`${version}.sql`);
  if (classified) {
    const byVersion = migrations.find((m) => compareVersionKeys(versionKey(m.version), classified.versionKey) === 0);
    if (byVersion) return byVersion;
  }
  return migrations.find((m) => m.name === version);
}

/** `001–006`, `001`, or nothing, for messages; names the Tidemark version where a file matches. */
export function versionRange(versions: string[], migrations: Array<Pick<Migration, 'version' | 'name'>>): string {
  const shown = versions.map((v) => matchMigration(v, migrations)?.version ?? v);
  if (shown.length === 0) return 'no versions';
  return shown.length === 1 ? shown[0] : `${shown[0]}–${shown[shown.length - 1]}`;
}

export function toolLabel(t: { tool: ForeignHistory['tool']; schema: string; table: string }): string {
  return t.tool === 'table' ? qualifiedName(t) : `${t.tool}'s ${qualifiedName(t)}`;
}

/** "adopted from dbmate", "adopted as a baseline", "marked applied by hand": recorded without running. */
export function adoptedNote(adoptedFrom: string): string {
  if (adoptedFrom === 'baseline') return 'adopted as a baseline (not run by Tidemark)';
  if (adoptedFrom === 'mark') return 'marked applied by hand (not run by Tidemark)';
  return `adopted from ${adoptedFrom} (not run by Tidemark)`;
}
