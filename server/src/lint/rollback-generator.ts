/**
 * "Generate rollback": the statements that reverse a migration's up section, newest first.
 */
import type { ParsedSection } from './types';

export interface GeneratedRollback {
  /** SQL of the down section, statements separated by newlines, each ending with ";". */
  sql: string;
  /** Up statements that cannot be reversed mechanically, with why (shown as comments in `sql`). */
  skipped: Array<{ statement: string; reason: string }>;
}

export function generateRollback(_up: ParsedSection): GeneratedRollback {
  return { sql: '', skipped: [] };
}
