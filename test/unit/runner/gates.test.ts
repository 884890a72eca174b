/**
 * `-- tidemark:soak` and `-- tidemark:requires-approval`: how the directives read, and the gate a
 * migration waits behind in one environment — by the time the migration before it (or the one
 * named) was applied there, by the environment's kind and protection, and by the approvals its
 * history holds.
 */
import assert from 'node:assert/strict';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { soakDirectives, soakDurationMs, requiresApprovalDirective } from '../../../server/src/migrations/sections';
import { gateOf, type GateEnvironment } from '../../../server/src/runner/gates';
import { writeFiles } from '../../support/databases';
import { scratchDir } from '../../support/test-cleanup';

const HOUR = 3_600_000;
const env = (name: string, extra: Partial<GateEnvironment['info']> = {}, approvers?: string[]): GateEnvironment => ({
  info: { name, kind: 'postgres', protected: false, ...extra },
  ...(approvers ? { approvers } : {}),
});

function project() {
  const dir = scratchDir('gates-');
  writeFiles(dir, {
    '001_expand.sql': 'SELECT 1;\n',
    '002_backfill.sql': '-- tidemark:soak 48h\nSELECT 2;\n',
    '003_contract.sql': '-- tidemark:soak 48h\n-- tidemark:soak 7d in protected\n-- tidemark:requires-approval\nSELECT 3;\n',
    '004_cleanup.sql': '-- tidemark:soak 30min after 001 in staging, qa\nSELECT 4;\n',
    '005_typo.sql': '-- tidemark:soak two days\nSELECT 5;\n',
  });
  return discoverMigrations(dir).migrations;
}

describe('soak and approval gates', () => {
  it('reads soak times, their reference and scope; a line it cannot read is kept, not dropped', () => {
    assert.equal(soakDurationMs('48h'), 48 * HOUR);
    assert.equal(soakDurationMs('7d'), 7 * 24 * HOUR);
    assert.equal(soakDurationMs('30min'), 30 * 60_000);
    assert.equal(soakDurationMs('2 weeks'), undefined);
    const { soaks, unreadable } = soakDirectives(
      '-- tidemark:soak 48h\n-- tidemark:soak 7d after 20251126_004 in protected\n--tidemark:soak 1h in staging, qa\n-- tidemark:soak soon\n-- tidemark:soaked 1h\n',
    );
    assert.deepEqual(
      soaks.map((s) => [s.duration, s.after, s.scope]),
      [
        ['48h', undefined, 'all'],
        ['7d', '20251126_004', 'protected'],
        ['1h', undefined, ['staging', 'qa']],
      ],
    );
    assert.deepEqual(unreadable, ['-- tidemark:soak soon']);
    assert.equal(requiresApprovalDirective('-- tidemark:requires-approval\nSELECT 1;'), true);
    assert.equal(requiresApprovalDirective("SELECT '-- tidemark:requires-approval';"), false);
  });

  it('waits until the migration before it has been applied here for the soak time; sandboxes never wait', () => {
    const ms = project();
    const applied = new Map([['1', '2026-12-01T00:00:00.000Z']]);
    const t0 = Date.parse('2026-12-01T00:00:00.000Z');
    const gate = gateOf(ms[1], ms, applied, [], env('staging'), t0 + 47 * HOUR)!;
    assert.equal(gate.kind, 'soak');
    assert.equal(gate.until, '2026-12-03T00:00:00.000Z');
    assert.equal(gate.message, 'waiting: soak until 2026-12-03 00:00 UTC (48h after 001 was applied in staging)');
    assert.equal(gateOf(ms[1], ms, applied, [], env('staging'), t0 + 48 * HOUR), undefined);
    assert.equal(gateOf(ms[1], ms, applied, [], env('sandbox', { kind: 'pglite' }), t0), undefined);
    assert.equal(gateOf(ms[1], ms, applied, [], env('staging'), t0, { ignoreSoak: true }), undefined);
    // Not applied yet: the clock has not started.
    assert.equal(gateOf(ms[1], ms, new Map(), [], env('staging'), t0)!.message, 'waiting: soak 48h once 001 is applied in staging');
  });

  it('a protected environment waits the longer soak, and for an approval by a listed approver for this very file', () => {
    const ms = project();
    const t0 = Date.parse('2026-12-01T00:00:00.000Z');
    const applied = new Map([
      ['1', '2026-11-01T00:00:00.000Z'],
      ['2', '2026-12-01T00:00:00.000Z'],
    ]);
    assert.equal(gateOf(ms[2], ms, applied, [], env('staging'), t0 + 49 * HOUR), undefined, 'staging: 48h and no approval needed');
    const production = env('production', { protected: true }, ['dana', 'lee']);
    assert.equal(gateOf(ms[2], ms, applied, [], production, t0 + 49 * HOUR)!.until, '2026-12-08T00:00:00.000Z');
    const later = t0 + 8 * 24 * HOUR;
    const approval = gateOf(ms[2], ms, applied, [], production, later)!;
    assert.equal(approval.kind, 'approval');
    assert.equal(approval.message, 'waiting: approval by dana or lee in production (tidemark approve 003 --env production --as NAME --reason TEXT)');
    const byStranger = [{ version: '003', by: 'eve', at: '2026-12-08T01:00:00Z', reason: 'looks fine', fileChecksum: ms[2].checksum.slice(0, 12) }];
    assert.equal(gateOf(ms[2], ms, applied, byStranger, production, later)!.kind, 'approval');
    const stale = [{ version: '003', by: 'dana', at: '2026-12-08T01:00:00Z', reason: 'looks fine', fileChecksum: 'ffffffffffff' }];
    assert.equal(gateOf(ms[2], ms, applied, stale, production, later)!.kind, 'approval', 'an approval of another version of the file does not count');
    const good = [{ version: '003', by: 'dana', at: '2026-12-08T01:00:00Z', reason: 'backup taken, tests green', fileChecksum: ms[2].checksum.slice(0, 12) }];
    assert.equal(gateOf(ms[2], ms, applied, good, production, later), undefined);
    // requires-approval without approvers: anyone's approval counts, only in protected environments.
    assert.equal(gateOf(ms[2], ms, applied, [], env('prod', { protected: true }), later)!.kind, 'approval');
    assert.equal(gateOf(ms[2], ms, applied, [{ ...good[0], by: 'eve' }], env('prod', { protected: true }), later), undefined);
  });

  it('after VERSION and in ENV, ...: another clock, only where named; an unreadable soak always waits', () => {
    const ms = project();
    const applied = new Map([['1', '2026-12-01T00:00:00.000Z']]);
    const t0 = Date.parse('2026-12-01T00:00:00.000Z');
    assert.equal(gateOf(ms[3], ms, applied, [], env('staging'), t0 + 10 * 60_000)!.message, 'waiting: soak until 2026-12-01 00:30 UTC (30min after 001 was applied in staging)');
    assert.equal(gateOf(ms[3], ms, applied, [], env('production'), t0), undefined);
    assert.match(gateOf(ms[4], ms, applied, [], env('sandbox', { kind: 'pglite' }), t0)!.message, /cannot read -- tidemark:soak two days/);
  });
});
