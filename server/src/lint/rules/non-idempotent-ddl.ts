import type { AlterTableStmt, ColumnDef, Constraint, DropStmt, Node } from '@pgsql/types';
import type { Fix, ParsedSection, Rule, RuleReport, TextEdit } from '../types';
import { bodyRange, statementTokens, type TextRange } from '../../sql/clauses';
import { commandsOfStatement } from '../alter-table-commands';
import { groupByName, objectEffects, relationName, renderName, sameObject, type DbObject } from '../../sql/objects';
import { quoteIdentifier } from '../../sql/names';
import { nodeType, type Statement } from '../../sql/statements';
import { findWord, type Token } from '../../sql/tokens';
import { runsInMigration } from '../reversal';

/**
 * DDL that fails when it runs a second time. Migrations do run twice: a no-transaction migration
 * resumed after a failure, a runbook re-run by hand, a rollback run after a half-applied up, an
 * environment restored from a dump taken mid-deploy. Each statement should leave the same state
 * whether or not it ran before.
 */
const rule: Rule = {
  id: 'non-idempotent-ddl',
  defaultSeverity: 'warning',
  summary: 'DDL that fails when the migration runs again (missing IF [NOT] EXISTS, OR REPLACE or an existence guard).',
  lint(unit, report) {
    // Only where a statement can run twice (execution.canRunTwice): a resumed no-transaction
    // migration, a repeatable one, or a project that re-runs files by hand (lint.idempotency).
    // A runner that records each migration and rolls a failed one back whole never re-runs DDL.
    if (!unit.execution.canRunTwice) return;
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      section.statementsWithEmbedded.forEach((statement, position) => {
        // Guarded statements run only when the object is missing; function bodies run later, if ever.
        if (!statement.node || statement.embedding?.guarded || !runsInMigration(statement)) return;
        for (const finding of judge(section, statement, position)) report(finding);
      });
    }
  },
};

/** Fixes edit the text only where the statement's text is the file's text, character for character. */
function exact(statement: Statement): boolean {
  return !statement.embedding || (!statement.embedding.inexact && statement.end - statement.start === statement.text.length);
}

function insertAfter(statement: Statement, token: Token | undefined, text: string): TextEdit[] | undefined {
  if (!token || !exact(statement)) return undefined;
  const at = statement.start + token.end;
  return [{ start: at, end: at, newText: text }];
}

/** The token after `CREATE [OR REPLACE] [TEMP|UNLOGGED|UNIQUE...] WORD`, i.e. the keyword itself. */
function keyword(statement: Statement, word: string, maxIndex = 6): Token | undefined {
  const tokens = statementTokens(statement);
  const k = findWord(tokens, word);
  return k >= 0 && k <= maxIndex ? tokens[k] : undefined;
}

/** The fix, worked out when someone reads the finding's fixes (see RuleReport.fixes). */
function fix(title: string, edits: () => TextEdit[] | undefined): () => Fix[] {
  return () => {
    const computed = edits();
    return computed ? [{ title, edits: computed, preferred: true }] : [];
  };
}

type Fixes = RuleReport['fixes'];

const sectionDrops = new WeakMap<ParsedSection, Map<string, Array<{ position: number; object: DbObject }>>>();

/** A drop of the same object earlier in the section makes a plain CREATE safe to re-run. */
function droppedBefore(section: ParsedSection, position: number, object: DbObject): boolean {
  let drops = sectionDrops.get(section);
  if (!drops) {
    const found: Array<{ position: number; object: DbObject }> = [];
    section.statementsWithEmbedded.forEach((s, at) => {
      if (!runsInMigration(s)) return;
      for (const e of objectEffects(s.node)) if (e.action === 'drop') found.push({ position: at, object: e.object });
    });
    drops = groupByName(found, (d) => d.object);
    sectionDrops.set(section, drops);
  }
  return (drops.get(object.name) ?? []).some((d) => d.position < position && sameObject(d.object, object));
}

/** Inserts a line before the statement, at its indentation. Only for top-level statements. */
function lineBefore(statement: Statement, section: ParsedSection, line: string): TextEdit[] | undefined {
  if (statement.embedding) return undefined;
  const text = section.file.text;
  const lineStart = text.lastIndexOf('\n', statement.start - 1) + 1;
  const indent = text.slice(lineStart, statement.start);
  if (indent.trim() !== '') return [{ start: statement.start, end: statement.start, newText: `${line}\n${indent}` }];
  return [{ start: lineStart, end: lineStart, newText: `${indent}${line}\n` }];
}

/** Wraps the statement in a DO block that ignores "already exists" (42710 duplicate_object). */
function guardWrap(statement: Statement): TextEdit[] | undefined {
  if (statement.embedding) return undefined;
  const body = bodyRange(statement);
  const sql = statement.text.slice(body.start - statement.start, body.end - statement.start);
  const tag = sql.includes('$$') ? '$tidemark$' : '$$';
  return [{ start: body.start, end: statement.end, newText: `DO ${tag}\nBEGIN\n  ${sql.replace(/\n/g, '\n  ')};\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND ${tag};` }];
}

const RERUN = 'fails when the migration runs again';

function judge(section: ParsedSection, statement: Statement, position: number): RuleReport[] {
  const type = nodeType(statement.node)!;
  const body = (statement.node as unknown as Record<string, Record<string, unknown>>)[type];
  const effects = objectEffects(statement.node);
  const created = effects.find((e) => e.action === 'create');
  const at = (message: string, fixes: Fixes, range?: TextRange): RuleReport => ({ section, statement, message, fixes, ...range });
  const name = created ? renderName(created.object) : '';
  const ifNotExists = (syntax: string, word: string): RuleReport[] => {
    if (body.if_not_exists || (created && droppedBefore(section, position, created.object))) return [];
    return [
      at(
        `${syntax} ${name} ${RERUN} ("already exists"): write ${syntax} IF NOT EXISTS.`,
        fix('Add IF NOT EXISTS', () => insertAfter(statement, keyword(statement, word), ' IF NOT EXISTS')),
      ),
    ];
  };

  switch (type) {
    case 'CreateStmt':
      return ifNotExists('CREATE TABLE', 'table');
    case 'CreateTableAsStmt':
      return body.objtype === 'OBJECT_MATVIEW' ? ifNotExists('CREATE MATERIALIZED VIEW', 'view') : ifNotExists('CREATE TABLE', 'table');
    case 'CreateSeqStmt':
      return ifNotExists('CREATE SEQUENCE', 'sequence');
    case 'CreateSchemaStmt':
      return ifNotExists('CREATE SCHEMA', 'schema');
    case 'CreateExtensionStmt':
      return ifNotExists('CREATE EXTENSION', 'extension');
    case 'IndexStmt': {
      if (body.if_not_exists || (created && droppedBefore(section, position, created.object))) return [];
      const tokens = statementTokens(statement);
      const k = findWord(tokens, 'index');
      let token = k >= 0 && k <= 3 ? tokens[k] : undefined;
      if (token && tokens[k + 1]?.value === 'concurrently') token = tokens[k + 1];
      // IF NOT EXISTS needs a name: give an unnamed index the one PostgreSQL would pick.
      const clause = body.idxname ? ' IF NOT EXISTS' : created ? ` IF NOT EXISTS ${quoteIdentifier(created.object.name)}` : undefined;
      const index = body.idxname ? name : `without a name (PostgreSQL names it ${name || 'after its columns'})`;
      return [
        at(
          `CREATE INDEX ${index} ${RERUN} ("already exists"): write CREATE INDEX ${body.concurrent ? 'CONCURRENTLY ' : ''}IF NOT EXISTS${body.idxname ? '' : ' with a name'}.`,
          clause ? fix('Add IF NOT EXISTS', () => insertAfter(statement, token, clause)) : [],
        ),
      ];
    }
    case 'CreateFunctionStmt':
    case 'ViewStmt': {
      if (body.replace || (created && droppedBefore(section, position, created.object))) return [];
      const what = type === 'ViewStmt' ? 'CREATE VIEW' : body.is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
      return [
        at(
          `${what} ${name} ${RERUN} ("already exists"): write CREATE OR REPLACE.`,
          fix('Use CREATE OR REPLACE', () => insertAfter(statement, keyword(statement, 'create', 0), ' OR REPLACE')),
        ),
      ];
    }
    case 'CreateTrigStmt':
    case 'CreatePolicyStmt': {
      if (!created || body.replace || droppedBefore(section, position, created.object)) return [];
      const object = created.object;
      const kind = type === 'CreateTrigStmt' ? 'TRIGGER' : 'POLICY';
      const drop = `DROP ${kind} IF EXISTS ${quoteIdentifier(object.name)} ON ${renderName(object.table!)};`;
      return [
        at(
          `CREATE ${kind} ${quoteIdentifier(created.object.name)} ON ${renderName(created.object.table!)} ${RERUN} ("already exists"): drop it first (${drop.slice(0, -1)})${kind === 'TRIGGER' ? ', use CREATE OR REPLACE TRIGGER (PostgreSQL 14+)' : ''} or guard it in a DO block.`,
          fix(`Add ${drop} before it`, () => lineBefore(statement, section, drop)),
        ),
      ];
    }
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateRangeStmt':
    case 'CreateDomainStmt':
    case 'DefineStmt': {
      if (!created || droppedBefore(section, position, created.object)) return [];
      const what = type === 'CreateDomainStmt' ? 'CREATE DOMAIN' : 'CREATE TYPE';
      // Dropping a type first would fail (or with CASCADE destroy columns) once tables use it: guard instead.
      return [
        at(
          `${what} ${name} ${RERUN} ("already exists"): guard it in a DO block that ignores duplicate_object (there is no IF NOT EXISTS for types).`,
          fix('Guard it in a DO block (EXCEPTION WHEN duplicate_object)', () => guardWrap(statement)),
        ),
      ];
    }
    case 'AlterTableStmt':
      return alterTable(section, statement, position, body as AlterTableStmt);
    case 'DropStmt':
    case 'DropRoleStmt':
      return dropStatement(
        statement,
        body,
        type,
        effects.map((e) => e.object),
      ).map((r) => ({ section, statement, ...r }));
    default:
      return [];
  }
}

/** The words between DROP and the name, as the grammar spells them; IF EXISTS goes right after. */
const DROP_WORDS: Partial<Record<string, string[]>> = {
  OBJECT_TABLE: ['table'],
  OBJECT_INDEX: ['index'],
  OBJECT_SEQUENCE: ['sequence'],
  OBJECT_VIEW: ['view'],
  OBJECT_MATVIEW: ['materialized', 'view'],
  OBJECT_FOREIGN_TABLE: ['foreign', 'table'],
  OBJECT_FUNCTION: ['function'],
  OBJECT_PROCEDURE: ['procedure'],
  OBJECT_ROUTINE: ['routine'],
  OBJECT_AGGREGATE: ['aggregate'],
  OBJECT_TRIGGER: ['trigger'],
  OBJECT_POLICY: ['policy'],
  OBJECT_RULE: ['rule'],
  OBJECT_TYPE: ['type'],
  OBJECT_DOMAIN: ['domain'],
  OBJECT_SCHEMA: ['schema'],
  OBJECT_EXTENSION: ['extension'],
  OBJECT_COLLATION: ['collation'],
  OBJECT_STATISTIC_EXT: ['statistics'],
  OBJECT_PUBLICATION: ['publication'],
  OBJECT_EVENT_TRIGGER: ['event', 'trigger'],
};

/** How a DROP names its object: `f(int4)`, `p ON orders`, `app.users`. */
function droppedName(object: DbObject): string {
  if (object.args) return `${renderName(object)}(${object.args.join(', ')})`;
  if ((object.kind === 'trigger' || object.kind === 'policy') && object.table) return `${quoteIdentifier(object.name)} ON ${renderName(object.table)}`;
  return renderName(object);
}

function dropStatement(statement: Statement, body: Record<string, unknown>, type: string, objects: DbObject[]): Array<Omit<RuleReport, 'section' | 'statement'>> {
  if (body.missing_ok) return [];
  const drop = body as DropStmt;
  const tokens = statementTokens(statement);
  const words = type === 'DropRoleStmt' ? [tokens[1]?.value ?? 'role'] : DROP_WORDS[drop.removeType ?? ''];
  let token: Token | undefined;
  if (words && tokens[0]?.value === 'drop' && words.every((w, i) => tokens[i + 1]?.value === w)) {
    token = tokens[words.length];
    if (tokens[words.length + 1]?.value === 'concurrently') token = tokens[words.length + 1];
  }
  const spelled = words ? `DROP ${words.join(' ').toUpperCase()}` : 'DROP';
  const roles = type === 'DropRoleStmt' ? ((body.roles ?? []) as Array<{ RoleSpec?: { rolename?: string } }>).map((r) => r.RoleSpec?.rolename).filter((r): r is string => !!r) : [];
  const names = [...objects.map(droppedName), ...roles.map(quoteIdentifier)];
  const what = names.length ? ` ${names.join(', ')}` : '';
  return [
    {
      message: `${spelled}${what} ${RERUN} or a rollback runs after a half-applied up ("does not exist"): write ${spelled} IF EXISTS.`,
      fixes: fix('Add IF EXISTS', () => insertAfter(statement, token, ' IF EXISTS')),
    },
  ];
}

function alterTable(section: ParsedSection, statement: Statement, position: number, alter: AlterTableStmt): RuleReport[] {
  const table = relationName(alter.relation);
  const reports: RuleReport[] = [];
  for (const command of commandsOfStatement(section, statement)) {
    const { cmd } = command;
    const report = (message: string, fixes: Fixes) => reports.push({ section, statement, message, fixes, ...command.range });
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
        if (cmd.missing_ok || !def?.colname) continue;
        const at = def.location !== undefined && exact(statement) ? statement.offsetOf(def.location) : undefined;
        report(
          `ADD COLUMN ${quoteIdentifier(def.colname)} ${RERUN} ("already exists"): write ADD COLUMN IF NOT EXISTS.`,
          fix('Add IF NOT EXISTS', () => (at === undefined ? undefined : [{ start: at, end: at, newText: 'IF NOT EXISTS ' }])),
        );
        continue;
      }
      case 'AT_DropColumn':
      case 'AT_DropConstraint': {
        if (cmd.missing_ok || !cmd.name) continue;
        const word = cmd.subtype === 'AT_DropColumn' ? 'column' : 'constraint';
        const tokens = statementTokens(statement);
        // Only a clause matched in the text has a DROP token to insert after.
        const range = command.ranges?.[command.index];
        const firstToken = range && tokens.findIndex((t) => statement.start + t.start === range.start);
        let token: Token | undefined;
        if (firstToken !== undefined && firstToken >= 0 && tokens[firstToken].value === 'drop')
          token = tokens[firstToken + 1]?.value === word ? tokens[firstToken + 1] : tokens[firstToken];
        report(
          `DROP ${word.toUpperCase()} ${quoteIdentifier(cmd.name)} ${RERUN} or a rollback runs after a half-applied up ("does not exist"): write DROP ${word.toUpperCase()} IF EXISTS.`,
          fix('Add IF EXISTS', () => insertAfter(statement, token, ' IF EXISTS')),
        );
        continue;
      }
      case 'AT_AddConstraint': {
        const constraint = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
        const effect = objectEffects({ AlterTableStmt: { ...alter, cmds: [{ AlterTableCmd: cmd }] } } as Node)[0];
        if (!constraint || (effect && droppedBefore(section, position, effect.object))) continue;
        const name = effect?.object.name;
        const drop = name ? `ALTER TABLE ${renderName(table)} DROP CONSTRAINT IF EXISTS ${quoteIdentifier(name)};` : undefined;
        report(
          `ADD CONSTRAINT ${name ? quoteIdentifier(name) : ''} ${RERUN} ("already exists"): ${drop ? `drop it first (${drop.slice(0, -1)})` : 'name it and drop it first'} or guard it in a DO block.`.replace(
            '  ',
            ' ',
          ),
          drop ? fix(`Add ${drop} before it`, () => lineBefore(statement, section, drop)) : [],
        );
        continue;
      }
    }
  }
  return reports;
}

export default rule;
