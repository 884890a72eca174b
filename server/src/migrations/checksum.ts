import { createHash } from 'node:crypto';

/** Line endings and trailing whitespace do not change a migration's meaning, so they do not change its checksum. */
export function normaliseForChecksum(sql: string): string {
  return sql
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

export function checksum(sql: string): string {
  return createHash('sha256').update(normaliseForChecksum(sql)).digest('hex');
}
