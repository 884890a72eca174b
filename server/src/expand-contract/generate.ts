/**
 * `tidemark new --expand-contract KIND ...`: reads the table from the schema the project's own
 * migrations build (a throwaway shadow database, as the replay check uses), writes the change's
 * phases as plain SQL migrations in the project's layout, and says what it found.
 */
import { loadConfig, type LoadedConfig } from '../migrations/config';
import { discoverMigrations, lenientDiskReader, type FileReader } from '../migrations/discovery';
import { shadowSetupOf } from '../replay/project';
import { Shadow } from '../replay/shadow';
import { RunnerInputError } from '../database/environments';
import { ensureParser } from '../sql/parse';
import type { DatabaseAdapter } from '../database/adapter';
import type { ExpandContractChange } from '../protocol';
import { columnCopyPhases } from './column-copy';
import { writePhases, type Phase, type WrittenPhase } from './phase-writer';
import { renameTablePhases } from './rename-table';
import { setNotNullPhases } from './set-not-null';
import { DEFAULT_SETTINGS, DEFAULT_SOAK, type ChangeSettings } from './settings';
import { derivedName } from './sql-text';
import { readColumnUse, readTable, type ColumnUse, type TableFacts } from './table-facts';
import { reshapePhases } from './split-merge';

export const CHANGE_KINDS = {
  'rename-column': { usage: 'rename-column TABLE COLUMN NEW_NAME', positionals: 3 },
  'change-type': { usage: 'change-type TABLE COLUMN TYPE [--using EXPR] [--reverse EXPR]', positionals: 3 },
  'set-not-null': { usage: 'set-not-null TABLE COLUMN --fill EXPR', positionals: 2 },
  'rename-table': { usage: 'rename-table TABLE NEW_NAME', positionals: 2 },
  'split-column': { usage: 'split-column TABLE COLUMN NEW1 NEW2 --first EXPR --second EXPR --join EXPR', positionals: 4 },
  'merge-columns': { usage: 'merge-columns TABLE COLUMN1 COLUMN2 NEW --join EXPR --first EXPR --second EXPR', positionals: 4 },
} as const;
export type ChangeKind = keyof typeof CHANGE_KINDS;

/** The change as `tidemark new --expand-contract` and the editor's request give it (protocol.ts describes each field). */
export interface ChangeRequest extends ExpandContractChange {
  kind: ChangeKind;
  batchSize?: number;
}

export interface GeneratedChange {
  phases: WrittenPhase[];
  /** What the generator found that the user should know (a shadow gap, objects naming the column). */
  notes: string[];
}

export function isChangeKind(kind: string): kind is ChangeKind {
  return Object.hasOwn(CHANGE_KINDS, kind);
}

/** The generator's settings from `expandContract` in tidemark.json. */
export function settingsOf(loaded: LoadedConfig, batchSize?: number): ChangeSettings {
  const ec = loaded.config.expandContract;
  const soak = ec?.soak ?? {};
  const pick = (v: string | false | undefined, d: string) => (v === false ? undefined : (v ?? d));
  return {
    lockTimeout: ec?.lockTimeout ?? DEFAULT_SETTINGS.lockTimeout,
    batchSize: batchSize ?? ec?.batchSize ?? DEFAULT_SETTINGS.batchSize,
    soak: {
      backfill: pick(soak.backfill, DEFAULT_SOAK.backfill),
      contract: pick(soak.contract, DEFAULT_SOAK.contract),
      contractProtected: pick(soak.contractProtected, DEFAULT_SOAK.contractProtected),
    },
  };
}

/**
 * `reader` gives the migrations' text: an editor passes its unsaved copies, and the quick fix the
 * migration with the unsafe statement already taken out, so the table is read as it is before it.
 */
export async function generateExpandContract(
  root: string,
  configPath: string | undefined,
  request: ChangeRequest,
  now = new Date(),
  reader: FileReader = lenientDiskReader,
): Promise<GeneratedChange> {
  const loaded = loadConfig(root, configPath);
  if (loaded.problems.length) throw new RunnerInputError(`invalid config: ${loaded.problems[0].field ? `${loaded.problems[0].field}: ` : ''}${loaded.problems[0].message}`);
  const spec = CHANGE_KINDS[request.kind];
  if (request.args.length !== spec.positionals) throw new RunnerInputError(`expand/contract ${request.kind} needs ${spec.usage}`);
  if (request.kind === 'set-not-null' && !request.fill) throw new RunnerInputError('set-not-null needs --fill EXPR: the value existing and newly written NULLs become');
  if ((request.kind === 'split-column' || request.kind === 'merge-columns') && !(request.first && request.second && request.join))
    throw new RunnerInputError(`${request.kind} needs --first EXPR and --second EXPR (each part from the whole) and --join EXPR (the whole from the parts)`);
  await ensureParser();
  const { migrations } = discoverMigrations(loaded.migrationsDir, reader);
  const shadow = await Shadow.open(shadowSetupOf(loaded));
  const notes: string[] = [];
  let phases: Phase[];
  try {
    await shadow.build(migrations);
    for (const gap of shadow.buildGaps) notes.push(`the shadow database could not run a statement of ${gap.version} (${gap.reason}); the table was read without it`);
    phases = await phasesOf(shadow.db, request, settingsOf(loaded, request.batchSize), notes);
  } finally {
    await shadow.close();
  }
  return { phases: writePhases(loaded.migrationsDir, migrations, phases, now), notes };
}

async function phasesOf(db: DatabaseAdapter, request: ChangeRequest, settings: ChangeSettings, notes: string[]): Promise<Phase[]> {
  const [tableName, second, third] = request.args;
  const table = await readTable(db, tableName);
  if (request.kind === 'rename-table') {
    if (table.views.length) notes.push(`views reading ${table.sqlName} follow the rename (PostgreSQL tracks them by oid): ${table.views.join(', ')}`);
    return renameTablePhases(table, identifier(second, 'NEW_NAME'), settings);
  }
  if (request.kind === 'split-column' || request.kind === 'merge-columns') return reshape(db, table, request, settings, notes);
  const use = await readColumnUse(db, table, second);
  for (const p of use.policies) notes.push(`policy ${p.name} on ${table.sqlName} names ${second}: the backfill phase moves it`);
  for (const v of use.views) notes.push(`view ${v} reads ${second}: recreate it before the contract (its pre-check waits for that)`);
  for (const f of use.functions) notes.push(`function ${f} mentions ${second} in its body: PostgreSQL does not track that, check it before the contract`);
  if (request.kind === 'set-not-null') return setNotNullPhases(table, use, request.fill!, settings);
  const exists = (column: string) => columnExists(db, table, column);
  if (request.kind === 'rename-column') {
    const to = identifier(third, 'NEW_NAME');
    if (await exists(to)) throw new RunnerInputError(`${table.sqlName} already has a column ${to}`);
    return columnCopyPhases(
      {
        table,
        use,
        from: second,
        to,
        type: use.column.type,
        forward: quoted(second),
        backward: quoted(second),
        renameBack: false,
        label: `rename_${table.table}_${second}_to_${to}`,
        title: `Renaming ${table.sqlName}.${second} to ${to}`,
      },
      settings,
    );
  }
  const type = await normalisedType(db, third);
  if (type === use.column.type) throw new RunnerInputError(`${table.sqlName}.${second} is already ${type}`);
  const to = derivedName(second, '__new');
  if (await exists(to)) throw new RunnerInputError(`${table.sqlName} already has a column ${to}, the temporary column of a type change`);
  return columnCopyPhases(
    {
      table,
      use,
      from: second,
      to,
      type,
      forward: request.using ?? `${quoted(second)}::${type}`,
      backward: request.reverse ?? `${quoted(second)}::${use.column.type}`,
      renameBack: true,
      label: `retype_${table.table}_${second}`,
      title: `Changing ${table.sqlName}.${second} from ${use.column.type} to ${type}`,
    },
    settings,
  );
}

/** split-column / merge-columns: the columns of each side read, the user's expressions tried on the shadow first. */
async function reshape(db: DatabaseAdapter, table: TableFacts, request: ChangeRequest, settings: ChangeSettings, notes: string[]): Promise<Phase[]> {
  const [, a, b, c] = request.args;
  const split = request.kind === 'split-column';
  const wholeName = split ? a : identifier(c, 'NEW');
  const partNames = split ? [identifier(b, 'NEW1'), identifier(c, 'NEW2')] : [a, b];
  const oldNames = split ? [wholeName] : partNames;
  const newNames = split ? partNames : [wholeName];
  if (new Set([...oldNames, ...newNames]).size !== oldNames.length + newNames.length)
    throw new RunnerInputError(`${request.kind} needs ${oldNames.length + newNames.length} different column names`);
  const uses: ColumnUse[] = [];
  for (const name of oldNames) uses.push(await readColumnUse(db, table, name));
  for (const use of uses) {
    const name = use.column.name;
    for (const p of use.policies) notes.push(`policy ${p.name} on ${table.sqlName} names ${name}: point it at the new columns before the contract (its pre-check waits for that)`);
    for (const v of use.views) notes.push(`view ${v} reads ${name}: recreate it before the contract (its pre-check waits for that)`);
    for (const f of use.functions) notes.push(`function ${f} mentions ${name} in its body: PostgreSQL does not track that, check it before the contract`);
  }
  for (const name of newNames) if (await columnExists(db, table, name)) throw new RunnerInputError(`${table.sqlName} already has a column ${name}`);
  const type = uses[0].column.type;
  if (!split && uses[1].column.type !== type) throw new RunnerInputError(`${a} is ${type} and ${b} is ${uses[1].column.type}: merge-columns joins columns of one type`);
  // Parts from the whole: over the whole's name; the whole from the parts: over the parts' names.
  const wholeType = type;
  const partFlags: Array<['first' | 'second', string]> = [
    ['first', request.first!],
    ['second', request.second!],
  ];
  for (const [flag, expression] of partFlags) await tryExpression(db, `--${flag}`, expression, [[wholeName, wholeType]], type);
  await tryExpression(
    db,
    '--join',
    request.join!,
    partNames.map((p) => [p, type]),
    type,
  );
  const label = split ? `split_${table.table}_${wholeName}` : `merge_${table.table}_${partNames.join('_')}`;
  return reshapePhases(
    {
      table,
      olds: split ? [{ use: uses[0], from: request.join! }] : uses.map((use, i) => ({ use, from: partFlags[i][1] })),
      news: split ? partNames.map((name, i) => ({ name, from: partFlags[i][1] })) : [{ name: wholeName, from: request.join! }],
      type,
      label: derivedName(label, ''),
      title: split ? `Splitting ${table.sqlName}.${wholeName} into ${partNames.join(' and ')}` : `Merging ${table.sqlName}.${partNames.join(' and ')} into ${wholeName}`,
    },
    settings,
  );
}

async function columnExists(db: DatabaseAdapter, table: TableFacts, column: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped', [table.sqlName, column])).rows.length > 0;
}

/** Runs `expression` over columns of the given names and types on the shadow: a clear error naming the flag when PostgreSQL refuses it. */
async function tryExpression(db: DatabaseAdapter, flag: string, expression: string, columns: Array<[string, string]>, type: string): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(`SELECT (${expression})::${type} FROM (SELECT ${columns.map(([, t]) => `NULL::${t}`).join(', ')}) AS v(${columns.map(([n]) => quoted(n)).join(', ')})`);
  } catch (error) {
    throw new RunnerInputError(`${flag} "${expression}" does not work over ${columns.map(([n]) => n).join(', ')}: ${(error as Error).message}`);
  } finally {
    await db.query('ROLLBACK');
  }
}

function quoted(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function identifier(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name)) throw new RunnerInputError(`${what} "${name}" is not a plain SQL identifier`);
  if (Buffer.byteLength(name) > 63) throw new RunnerInputError(`${what} "${name}" is longer than PostgreSQL's 63 bytes`);
  return name;
}

/** The type as PostgreSQL prints it (`int8` → `bigint`, `varchar(40)` → `character varying(40)`); a clear error for an unknown type. */
async function normalisedType(db: DatabaseAdapter, type: string): Promise<string> {
  await db.query('BEGIN');
  try {
    await db.query(`CREATE TEMP TABLE tidemark_type_probe (c ${type})`);
    const row = (await db.query("SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'tidemark_type_probe'::regclass AND attname = 'c'")).rows[0];
    return String(row.type);
  } catch (error) {
    throw new RunnerInputError(`TYPE "${type}" is not a type the project's schema knows: ${(error as Error).message}`);
  } finally {
    await db.query('ROLLBACK');
  }
}
