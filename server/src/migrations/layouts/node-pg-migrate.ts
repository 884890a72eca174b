/**
 * node-pg-migrate SQL migrations: `<number>_<name>.sql` with `-- Up Migration` and
 * `-- Down Migration` comments (node-pg-migrate's own pattern: a line comment, any case), sections
 * cut as its getActions cuts them; a header comment `-- no transaction` runs it outside a
 * transaction. JavaScript and TypeScript migrations in the same folder are holes Tidemark cannot run.
 */
import { basename, join } from 'node:path';
import { SourceFile } from '../../sql/source';
import { describeExecution } from '../execution';
import type { DiscoveryProblem, Migration, Section } from '../types';
import { compareVersionKeys } from '../version';
import { CONTENT, type FileReading, type LayoutReader, type LayoutReading } from './reader';
import { cutAtUnderscore, makeMigration } from './migration';

const marker = (direction: 'up' | 'down') => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, 'im');
const UP = marker('up');
const DOWN = marker('down');
const CODE = /\.(js|cjs|mjs|ts|cts|mts)$/i;

/** Comment lines at the top of the file, one of them `-- no transaction`. */
export function noTransactionHeader(text: string): boolean {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (!trimmed.startsWith('--')) return false;
    if (/^--[ \t]*no[ \t]*transaction[ \t]*$/i.test(trimmed)) return true;
  }
  return false;
}

function readSqlFile(path: string, text: string, version: string, name: string): FileReading {
  const file = new SourceFile(path, text);
  const upAt = text.search(UP);
  const downAt = text.search(DOWN);
  const slice = (kind: Section['kind'], from: number, to: number | undefined): Section => ({ kind, file, offset: from, text: text.slice(from, to) });
  const problems: DiscoveryProblem[] = [];
  const blocked: string[] = [];
  if (upAt < 0 && downAt >= 0) {
    // node-pg-migrate would run the whole file, the down included, as the up.
    const message = 'there is a -- Down Migration marker but no -- Up Migration marker: node-pg-migrate would run the whole file, the down included, as the up';
    problems.push({ code: 'layout-error', message, path, offset: downAt });
    blocked.push(message);
  }
  const up = upAt >= 0 ? slice('up', upAt, downAt < upAt ? undefined : downAt) : slice('up', 0, undefined);
  const down = downAt >= 0 ? slice('down', downAt, upAt < downAt ? undefined : upAt) : undefined;
  const migration = makeMigration({
    version,
    versionKey: [Number(version)],
    name,
    layout: 'sections',
    execution: describeExecution('node-pg-migrate', { noTransaction: noTransactionHeader(text) }),
    up,
    down,
    downMarker: '-- Down Migration',
    blocked,
  });
  return { migration, problems };
}

function hole(path: string, version: string, name: string): Migration {
  const why = 'cannot run here (JavaScript migration)';
  return {
    ...makeMigration({
      version,
      versionKey: [Number(version)],
      name,
      layout: 'sections',
      execution: describeExecution('node-pg-migrate'),
      up: { kind: 'up', file: new SourceFile(path, ''), offset: 0, text: '' },
      blocked: [why],
    }),
    hole: why,
  };
}

export const nodePgMigrate: LayoutReader = {
  id: 'node-pg-migrate',
  defaultFolders: ['migrations'],
  markerLine: /^[ \t]*--[ \t-]*(up|down)[ \t]+migration\b/im,
  detect(census) {
    const sql = census.files('.sql');
    const marked = census.commented('.sql').filter((name) => UP.test(census.text(name) ?? ''));
    return marked.length ? { score: CONTENT * marked.length, evidence: `-- Up Migration in ${marked.length} of ${sql.length} .sql files` } : undefined;
  },
  read(census): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    for (const entry of census.entries()) {
      if (entry.kind !== 'file' || entry.name.startsWith('.')) continue;
      const isSql = entry.name.toLowerCase().endsWith('.sql');
      if (!isSql && !CODE.test(entry.name)) continue;
      const path = join(census.folder, entry.name);
      const { head, name } = cutAtUnderscore(entry.name.replace(/\.[^.]+$/, ''));
      if (!/^\d+$/.test(head)) {
        reading.unused.push({ path, why: 'not named <number>_<name>: Tidemark cannot order it' });
        continue;
      }
      if (!isSql) {
        reading.migrations.push(hole(path, head, name));
        reading.unused.push({ path, why: 'cannot run here (JavaScript migration): node-pg-migrate runs it' });
        continue;
      }
      const text = census.text(entry.name);
      if (text === undefined) {
        reading.problems.push({ code: 'unreadable-file', message: `cannot read ${entry.name}`, path });
        continue;
      }
      const found = readSqlFile(path, text, head, name);
      reading.migrations.push(found.migration);
      reading.problems.push(...found.problems);
    }
    reading.migrations.sort((a, b) => compareVersionKeys(a.versionKey, b.versionKey));
    return reading;
  },
  readFile(path, text) {
    if (!path.toLowerCase().endsWith('.sql')) return undefined;
    const { head, name } = cutAtUnderscore(basename(path).replace(/\.sql$/i, ''));
    return /^\d+$/.test(head) ? readSqlFile(path, text, head, name) : undefined;
  },
};
