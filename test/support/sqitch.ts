/**
 * sqitch itself (Debian's `sqitch` with `libdbd-pg-perl` for PostgreSQL, whose pg engine runs
 * scripts through psql), installed with apt-get when missing — as the backup tests install
 * pg_dump — so a clean machine runs the same comparisons. A machine where it cannot be installed
 * fails the tests that need it, with apt-get's reason.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePostgresClient } from './pg-client-tools';
import { scratchDir } from './test-cleanup';

function sqitchVersion(): string | undefined {
  const r = spawnSync('sqitch', ['--version'], { encoding: 'utf8' });
  // The pg engine needs DBD::Pg; without it sqitch starts but cannot reach PostgreSQL.
  const dbd = spawnSync('perl', ['-MDBD::Pg', '-e', '1'], { encoding: 'utf8' });
  return r.status === 0 && dbd.status === 0 ? r.stdout.trim() : undefined;
}

export function ensureSqitch(): string {
  const found = sqitchVersion();
  if (found) return found;
  const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const packages = ['install', '-y', '--no-install-recommends', 'sqitch', 'libdbd-pg-perl'];
  let r = apt(packages);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(packages);
  }
  const installed = sqitchVersion();
  if (!installed) throw new Error(`sqitch is not installed and apt-get could not install sqitch and libdbd-pg-perl: ${(r.stderr || r.error?.message || '').trim().slice(-500)}`);
  ensurePostgresClient();
  return installed;
}

let userConfig: string | undefined;

/**
 * Runs sqitch in `cwd`; throws with its output when it fails. The user's and the system's
 * configuration are replaced by an empty file, so that nothing on the machine changes the result.
 */
export function sqitch(cwd: string, args: string[], env: Record<string, string> = {}): string {
  userConfig ??= (() => {
    const path = join(scratchDir('sqitch-config-', 'process'), 'empty.conf');
    writeFileSync(path, '');
    return path;
  })();
  const r = spawnSync('sqitch', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      SQITCH_USER_CONFIG: userConfig,
      SQITCH_SYSTEM_CONFIG: userConfig,
      SQITCH_USER_NAME: 'Tidemark Tests',
      SQITCH_USER_EMAIL: 'tests@tidemark.invalid',
      ...env,
    },
  });
  if (r.status !== 0) throw new Error(`sqitch ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The changes of `sqitch plan --format raw`, in plan order: ID, name and the tags printed after the ID. */
export function sqitchPlanRaw(cwd: string): Array<{ id: string; name: string; tags: string[] }> {
  const out: Array<{ id: string; name: string; tags: string[] }> = [];
  for (const block of sqitch(cwd, ['plan', '--format', 'raw', '--no-headers']).split(/\n(?=deploy )/)) {
    const head = /^deploy ([0-9a-f]{40})(?: \(([^)]*)\))?/m.exec(block);
    const name = /^name\s+(.+)$/m.exec(block);
    if (head && name) out.push({ id: head[1], name: name[1].trim(), tags: head[2] ? head[2].split(/,\s*/) : [] });
  }
  return out;
}
