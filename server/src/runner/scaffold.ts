/**
 * `tidemark new NAME`: the next migration in the layout the project already uses (sections in one
 * file, paired .up/.down/.verify files, sibling rollback/ and verify/ folders, or Flyway names),
 * with up, down and verify sections.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { discoverMigrations, lenientDiskReader } from '../migrations/discovery';
import type { LayoutId, LayoutKind, Migration } from '../migrations/types';
import { RunnerInputError, type Project } from '../database/environments';

export function scaffoldMigration(project: Project, rawName: string, now = new Date()): { files: string[]; version: string } {
  const name = rawName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) throw new RunnerInputError(`"${rawName}" is not a usable migration name: use letters, digits and underscores, e.g. add_users_email`);
  // Only the last version and its layout matter here: a file that is not UTF-8 does not stop `new`.
  const found = discoverMigrations(project.migrationsDir, lenientDiskReader, { layout: project.layout });
  const { migrations } = found;
  const last = migrations[migrations.length - 1];
  const layout: LayoutKind = last?.layout ?? 'sections';
  const version = nextVersion(last, now);
  const dir = project.migrationsDir;
  const header = (part: string) => `-- ${version} ${name}: ${part}\n`;
  const files: Array<[string, string]> = [];
  const tool = toolFiles(found.layout, dir, version, name, now);
  if (tool) files.push(...tool);
  else
    switch (layout) {
      case 'paired':
        files.push([join(dir, `${version}_${name}.up.sql`), `${header('up')}\n`]);
        files.push([join(dir, `${version}_${name}.down.sql`), `${header('down — undoes the up file')}\n`]);
        files.push([join(dir, `${version}_${name}.verify.sql`), `${header('verify — queries that return true, or -- expect: VALUE before a query')}\n`]);
        break;
      case 'folders': {
        const downFolder = last?.down ? basename(dirname(last.down.file.path)) : 'rollback';
        const downName = last?.down && /_rollback\.sql$/i.test(last.down.file.path) ? `${version}_rollback.sql` : `${version}_${name}.sql`;
        const verifyFolder = last?.verify && last.verify.file.path !== last.up.file.path ? basename(dirname(last.verify.file.path)) : 'verify';
        files.push([join(dir, `${version}_${name}.sql`), `${header('up')}\n`]);
        files.push([join(dir, downFolder, downName), `${header('rollback')}\n`]);
        files.push([join(dir, verifyFolder, `${version}_${name}.sql`), `${header('verify — queries that return true, or -- expect: VALUE before a query')}\n`]);
        break;
      }
      case 'flyway': {
        const v = version.replace(/\./g, '_');
        files.push([join(dir, `V${v}__${name}.sql`), `-- migrate:up\n\n\n-- migrate:verify\n-- queries that return true, or -- expect: VALUE before a query\n\n`]);
        files.push([join(dir, `U${v}__${name}.sql`), `${header('undo')}\n`]);
        break;
      }
      default:
        files.push([
          join(dir, `${version}_${name}.sql`),
          `-- migrate:up\n\n\n-- migrate:down\n\n\n-- migrate:verify\n-- queries that return true, or -- expect: VALUE before a query\n\n`,
        ]);
    }
  for (const [path] of files) if (existsSync(path)) throw new RunnerInputError(`${path} already exists`);
  for (const [path, text] of files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { files: files.map(([p]) => p), version };
}

/**
 * A new migration in the form its tool writes one, for the layouts whose tool has its own; the
 * ORM layouts generate theirs from the schema, so `new` says which command does it.
 */
function toolFiles(layout: LayoutId | undefined, dir: string, version: string, name: string, now: Date): Array<[string, string]> | undefined {
  switch (layout) {
    case 'goose':
      return [[join(dir, `${version}_${name}.sql`), '-- +goose Up\n\n\n-- +goose Down\n\n']];
    case 'node-pg-migrate':
      return [[join(dir, `${version}_${name}.sql`), '-- Up Migration\n\n\n-- Down Migration\n\n']];
    case 'diesel': {
      // diesel's own format: 2019-02-26-002946_name/
      const stamp = now
        .toISOString()
        .replace(/\..*$/, '')
        .replace(/T/, '-')
        .replace(/:/g, '')
        .replace(/^(\d{4})-(\d\d)-(\d\d)-/, '$1-$2-$3-');
      const folder = join(dir, `${stamp}_${name}`);
      return [
        [join(folder, 'up.sql'), '-- Your SQL goes here\n'],
        [join(folder, 'down.sql'), '-- This file should undo anything in `up.sql`\n'],
      ];
    }
    case 'supabase':
      return [[join(dir, `${now.toISOString().replace(/\D/g, '').slice(0, 14)}_${name}.sql`), '']];
    case 'prisma':
      throw new RunnerInputError('Prisma writes its migrations from schema.prisma: run `prisma migrate dev --name ' + name + '`');
    case 'drizzle':
      throw new RunnerInputError('Drizzle Kit writes its migrations from the schema: run `drizzle-kit generate --name ' + name + '`');
    default:
      return undefined;
  }
}

/** The version after `last`, in its style: a timestamp stays a timestamp, a counter keeps its width. */
export function nextVersion(last: Migration | undefined, now: Date): string {
  if (!last) return '001';
  const groups = last.version.split(/([._])/);
  const numbers = groups.filter((_, i) => i % 2 === 0);
  const stamp = (digits: number) => now.toISOString().replace(/\D/g, '').slice(0, digits);
  // 20251026000001 (timestamp) or 20251126_004 (date + counter).
  if (numbers.length === 1 && numbers[0].length >= 12 && /^20\d\d/.test(numbers[0])) {
    const next = stamp(numbers[0].length);
    return next > numbers[0] ? next : String(BigInt(numbers[0]) + 1n);
  }
  if (numbers.length === 2 && numbers[0].length === 8 && /^20\d\d/.test(numbers[0])) {
    const today = stamp(8);
    const sep = groups[1];
    if (today > numbers[0]) return `${today}${sep}${'1'.padStart(numbers[1].length, '0')}`;
    return `${numbers[0]}${sep}${String(Number(numbers[1]) + 1).padStart(numbers[1].length, '0')}`;
  }
  const lastGroup = groups[groups.length - 1];
  groups[groups.length - 1] = String(Number(lastGroup) + 1).padStart(lastGroup.length, '0');
  return groups.join('');
}
