/**
 * PostgreSQL's table-level lock modes: their order, which conflict, how pg_locks spells them and
 * what each stops other sessions from doing ("Explicit Locking" in the PostgreSQL manual). No
 * parser here, so the client can rank the locks of a plan report without loading one.
 */
export type LockMode = 'ACCESS SHARE' | 'ROW SHARE' | 'ROW EXCLUSIVE' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'EXCLUSIVE' | 'ACCESS EXCLUSIVE';

/** Weakest first; the index is the strength (also PostgreSQL's LOCKMODE number minus one). */
export const LOCK_MODES: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

/** PostgreSQL's table-level lock conflict matrix. */
export const LOCK_CONFLICTS: Readonly<Record<LockMode, readonly LockMode[]>> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': [...LOCK_MODES],
};

export const lockStrength = (mode: LockMode): number => LOCK_MODES.indexOf(mode);

/** A mode as pg_locks spells it: `ACCESS EXCLUSIVE` → `AccessExclusiveLock`. */
export function pgLockModeName(mode: LockMode): string {
  return `${mode
    .toLowerCase()
    .split(' ')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')}Lock`;
}

/**
 * What a held lock stops other sessions from doing: plain SELECTs take ACCESS SHARE, INSERT/
 * UPDATE/DELETE take ROW EXCLUSIVE, and every mode from SHARE UPDATE EXCLUSIVE up conflicts with
 * itself, which is what schema changes (and VACUUM, CREATE INDEX) need.
 */
export function blockedOperations(mode: LockMode): Array<'reads' | 'writes' | 'DDL'> {
  const conflicts = LOCK_CONFLICTS[mode];
  const blocked: Array<'reads' | 'writes' | 'DDL'> = [];
  if (conflicts.includes('ACCESS SHARE')) blocked.push('reads');
  if (conflicts.includes('ROW EXCLUSIVE')) blocked.push('writes');
  blocked.push('DDL'); // every mode conflicts with ACCESS EXCLUSIVE, which all of ALTER/DROP need
  return blocked;
}
