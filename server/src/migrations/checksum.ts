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

/**
 * `target` with a `checksum` of `sql` computed when first read: a lint run reads every migration
 * of a folder and needs none of their checksums, which only the runner and adopt compare.
 */
export function withLazyChecksum<T extends object>(target: T, sql: string): T & { checksum: string } {
  let value: string | undefined;
  return Object.defineProperty(target, 'checksum', { enumerable: true, configurable: true, get: () => (value ??= checksum(sql)) }) as T & { checksum: string };
}
