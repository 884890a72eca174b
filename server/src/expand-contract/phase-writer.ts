/**
 * Writes the phases of an expand/contract change as consecutive migrations in the layout and
 * numbering the project already uses (as `tidemark new` does): each with its up, down, verify and,
 * where it has one, pre-check section.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LayoutKind, Migration } from '../migrations/types';
import { RunnerInputError } from '../database/environments';
import { nextVersion } from '../runner/scaffold';

/** One migration of the change. */
export interface Phase {
  /** expand, backfill (switch for a table rename) or contract. */
  role: 'expand' | 'backfill' | 'switch' | 'contract';
  /** The migration's name: `expand_users_email_to_email_address`. */
  name: string;
  /** Comment lines at the top of the up section: what the phase does, what to do before the next. */
  notes: string[];
  /** Directive lines (`-- tidemark:no-transaction`, `-- tidemark:soak 48h`). */
  directives: string[];
  /** Pre-check queries, run before the up. */
  check?: string;
  up: string;
  down: string;
  verify: string;
}

export interface WrittenPhase {
  role: Phase['role'];
  version: string;
  files: string[];
}

/** Writes `phases` after the newest of `existing`; refuses to overwrite any file. */
export function writePhases(migrationsDir: string, existing: readonly Migration[], phases: readonly Phase[], now = new Date()): WrittenPhase[] {
  const last = existing[existing.length - 1];
  const layout: LayoutKind = last?.layout ?? 'sections';
  let previous: Pick<Migration, 'version'> | undefined = last;
  const planned: Array<{ phase: Phase; version: string; files: Array<[string, string]> }> = [];
  for (const phase of phases) {
    const version = nextVersion(previous as Migration | undefined, now);
    previous = { version };
    planned.push({ phase, version, files: filesOf(migrationsDir, layout, last, version, phase) });
  }
  for (const { files } of planned) for (const [path] of files) if (existsSync(path)) throw new RunnerInputError(`${path} already exists`);
  for (const { files } of planned) {
    for (const [path, text] of files) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return planned.map(({ phase, version, files }) => ({ role: phase.role, version, files: files.map(([p]) => p) }));
}

function block(lines: readonly string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function header(phase: Phase): string {
  return block(phase.notes.map((n) => (n ? `-- ${n}` : '--'))) + block(phase.directives);
}

function filesOf(dir: string, layout: LayoutKind, last: Migration | undefined, version: string, phase: Phase): Array<[string, string]> {
  const name = phase.name;
  const up = `${header(phase)}\n${phase.up.trimEnd()}\n`;
  const down = `${phase.down.trimEnd()}\n`;
  const verify = `${phase.verify.trimEnd()}\n`;
  const check = phase.check ? `${phase.check.trimEnd()}\n` : undefined;
  switch (layout) {
    case 'paired':
      return [
        [join(dir, `${version}_${name}.up.sql`), up],
        [join(dir, `${version}_${name}.down.sql`), down],
        [join(dir, `${version}_${name}.verify.sql`), verify],
        ...(check ? [[join(dir, `${version}_${name}.check.sql`), check] as [string, string]] : []),
      ];
    case 'folders': {
      const downFolder = last?.down ? basename(dirname(last.down.file.path)) : 'rollback';
      const downName = last?.down && /_rollback\.sql$/i.test(last.down.file.path) ? `${version}_rollback.sql` : `${version}_${name}.sql`;
      const verifyFolder = last?.verify && last.verify.file.path !== last.up.file.path ? basename(dirname(last.verify.file.path)) : 'verify';
      return [
        [join(dir, `${version}_${name}.sql`), up],
        [join(dir, downFolder, downName), down],
        [join(dir, verifyFolder, `${version}_${name}.sql`), verify],
        ...(check ? [[join(dir, 'check', `${version}_${name}.sql`), check] as [string, string]] : []),
      ];
    }
    case 'flyway': {
      const v = version.replace(/\./g, '_');
      const sections = `${header(phase)}\n${check ? `-- migrate:check\n${check}\n` : ''}-- migrate:up\n${phase.up.trimEnd()}\n\n-- migrate:verify\n${verify}`;
      return [
        [join(dir, `V${v}__${name}.sql`), sections],
        [join(dir, `U${v}__${name}.sql`), down],
      ];
    }
    default:
      return [
        [
          join(dir, `${version}_${name}.sql`),
          `${header(phase)}\n${check ? `-- migrate:check\n${check}\n` : ''}-- migrate:up\n${phase.up.trimEnd()}\n\n-- migrate:down\n${down}\n-- migrate:verify\n${verify}`,
        ],
      ];
  }
}
