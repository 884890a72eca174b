/**
 * What a statement does to a live database: the lock it takes on which relation, what that lock
 * blocks, whether it rewrites or scans the table, and the safer way to do the same thing.
 */
import type { Node } from '@pgsql/types';

export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

export interface LockEffect {
  /** Relation the lock is on, as written (`public.users`). */
  relation: string;
  mode: LockMode;
  /** What other sessions cannot do while it is held: 'reads' | 'writes' | 'DDL'. */
  blocks: Array<'reads' | 'writes' | 'DDL'>;
  /** Rewrites every row (and every index) of the table. */
  rewrite: boolean;
  /** Reads the whole table (e.g. to validate a constraint) while holding the lock. */
  scan: boolean;
  /** The safe alternative, one sentence; absent when the statement is already the safe way. */
  saferAlternative?: string;
}

/** The locks a statement takes, most restrictive first; empty when it takes none worth telling. */
export function lockEffects(_node: Node | undefined): LockEffect[] {
  return [];
}
