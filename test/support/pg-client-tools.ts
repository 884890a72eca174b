/**
 * pg_dump and pg_restore for the backup tests: Debian's postgresql-client, installed with apt-get
 * when missing (as the e2e tier installs Chromium), so a clean machine runs the same tests.
 */
import { spawnSync } from 'node:child_process';

export function pgDumpVersion(): { text: string; major: number } | undefined {
  const r = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  const m = /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(r.stdout ?? '');
  return r.status === 0 && m ? { text: `${m[1]}${m[2] ?? ''}`, major: Number(m[1]) } : undefined;
}

export function ensurePostgresClient(): { text: string; major: number } {
  const found = pgDumpVersion();
  if (found) return found;
  const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = apt(['install', '-y', '--no-install-recommends', 'postgresql-client']);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', 'postgresql-client']);
  }
  const installed = pgDumpVersion();
  if (!installed) throw new Error(`pg_dump is not installed and apt-get could not install postgresql-client: ${(r.stderr || r.error?.message || '').trim().slice(-500)}`);
  return installed;
}
