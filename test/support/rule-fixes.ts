/**
 * Checks every rule test makes of a fix: apply the edits the finding carries, make sure the
 * result is SQL PostgreSQL's parser accepts, and run it on a real (PGlite) database.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import type { Finding, Fix } from '../../server/src/lint/types';
import { parseStatements } from '../../server/src/sql/statements';
import { applyEdits } from './lint';

/** The rule's own fix: the first one that is not an "Ignore ..." comment. */
export function ruleFix(finding: Finding): Fix {
  const fix = finding.fixes.find((f) => !f.title.startsWith('Ignore '));
  assert.ok(fix, `finding "${finding.message}" has no fix`);
  return fix;
}

/** The text after applying the finding's own fix. */
export function applyRuleFix(text: string, finding: Finding): string {
  return applyEdits(text, ruleFix(finding).edits);
}

/** Every statement of `sql` parses. */
export function assertParses(sql: string): void {
  for (const statement of parseStatements(sql)) assert.equal(statement.syntaxError, undefined, `does not parse: ${statement.text}\n${statement.syntaxError?.message}`);
}

let database: Promise<PGlite> | undefined;

/**
 * Runs `setup`, then each statement of `migration` on its own (as the runner does for a
 * migration holding CONCURRENTLY), in a fresh public schema of one shared PGlite database.
 */
export async function runOnScratchDatabase(setup: string, migration: string): Promise<PGlite> {
  database ??= PGlite.create();
  const db = await database;
  await db.exec('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await db.exec(setup);
  for (const statement of parseStatements(migration)) await db.exec(statement.text);
  return db;
}
