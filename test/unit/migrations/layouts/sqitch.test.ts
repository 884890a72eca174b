/**
 * sqitch projects read as sqitch reads them: the fixture (test/fixtures/layouts/sqitch, made with
 * `sqitch init/add/tag/rework`) is compared with what sqitch itself says about it — its plan in
 * order with change IDs (`sqitch plan --format raw`) and the script of every part
 * (`sqitch show deploy|revert|verify ID`) — and the plan's edge cases are checked one by one.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { opensOwnTransaction, parseSqitchPlan, sqitchVersion } from '../../../../server/src/migrations/layouts/sqitch';
import { repoRoot } from '../../../support/paths';
import { ensureSqitch, sqitch, sqitchPlanRaw } from '../../../support/sqitch';
import { scratchDir } from '../../../support/test-cleanup';
import { writeFiles } from '../../../support/databases';
import { buildLintUnit } from '../../../../server/src/lint/unit';
import { lintUnit } from '../../../../server/src/lint/engine';
import { ensureParser } from '../../../support/lint';

const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'sqitch');

const HEADER = '%syntax-version=1.0.0\n%project=demo\n\n';
const line = (name: string, deps = '', minute = 0) => `${name}${deps ? ` [${deps}]` : ''} 2024-01-01T00:${String(minute).padStart(2, '0')}:00Z Ann <ann@example.com>`;

describe('migrations/layouts/sqitch: sqitch.plan order, deploy/revert/verify scripts', () => {
  it('reads the fixture in plan order (not file order), the reworked change from deploy/NAME@TAG.sql, nested names from nested folders', () => {
    const found = discoverMigrations(fixture);
    assert.equal(found.layout, 'sqitch');
    assert.equal(found.layoutEvidence, 'sqitch.plan');
    assert.deepEqual(found.problems, []);
    assert.deepEqual(found.unused, []);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name]),
      [
        ['appschema', 'appschema'],
        ['zz_users', 'zz_users'],
        ['app.devices/create', 'app.devices/create'],
        ['insert_user', 'insert_user'],
        ['insert_user~2', 'insert_user'],
        ['aa_flips', 'aa_flips'],
      ],
    );
    const rel = (path: string | undefined) => path?.slice(fixture.length + 1);
    const devices = found.migrations[2];
    assert.deepEqual(
      [rel(devices.up.file.path), rel(devices.down?.file.path), rel(devices.verify?.file.path)],
      ['deploy/app.devices/create.sql', 'revert/app.devices/create.sql', 'verify/app.devices/create.sql'],
    );
    const [first, second] = found.migrations.filter((m) => m.name === 'insert_user');
    assert.deepEqual(
      [rel(first.up.file.path), rel(first.down?.file.path), rel(first.verify?.file.path)],
      ['deploy/insert_user@v1.0.0.sql', 'revert/insert_user@v1.0.0.sql', 'verify/insert_user@v1.0.0.sql'],
    );
    assert.deepEqual([rel(second.up.file.path), rel(second.down?.file.path)], ['deploy/insert_user.sql', 'revert/insert_user.sql']);
    assert.match(first.up.text, /md5\(\$2\)/);
    assert.match(second.up.text, /sha256/);
  });

  it('says every script owns its transaction: run as written, never wrapped again; a verify passes when it raises no error', () => {
    for (const m of discoverMigrations(fixture).migrations) {
      assert.equal(m.execution.layout, 'sqitch');
      assert.equal(m.execution.transaction, 'own', m.version);
      assert.equal(m.execution.downsByDesign, true);
      assert.equal(m.verify?.passesWithoutError, true, m.version);
    }
  });

  it('agrees with `sqitch plan --format raw` on the order and the change IDs, and with `sqitch show` on the scripts', function () {
    this.timeout(300_000);
    ensureSqitch();
    const plan = sqitchPlanRaw(fixture);
    const found = discoverMigrations(fixture).migrations;
    assert.equal(plan.length, 6);
    assert.deepEqual(
      found.map((m) => [m.toolId, m.name]),
      plan.map((c) => [c.id, c.name]),
    );
    // Every deploy script; the revert and verify scripts of the nested change and of the reworked one
    // (each `sqitch show` starts perl, about two seconds).
    for (const m of found) {
      const parts =
        m.version === 'app.devices/create' || m.version === 'insert_user'
          ? ([
              ['deploy', m.up],
              ['revert', m.down],
              ['verify', m.verify],
            ] as const)
          : ([['deploy', m.up]] as const);
      for (const [kind, section] of parts) {
        // `sqitch show` prints the script and a line break after it.
        assert.equal(section?.text, sqitch(fixture, ['show', kind, m.toolId!]).replace(/\n$/, ''), `${kind} script of ${m.version}`);
      }
    }
  });

  it('agrees with sqitch on a plan edited by hand: a change inserted in the middle, without a verify script', function () {
    this.timeout(300_000);
    ensureSqitch();
    const dir = scratchDir('sqitch-edited-');
    cpSync(fixture, dir, { recursive: true });
    const plan = readFileSync(join(dir, 'sqitch.plan'), 'utf8').replace(/^(app\.devices\/create .*)$/m, `$1\n${line('audit', 'zz_users', 30)} # inserted by hand`);
    writeFiles(dir, { 'sqitch.plan': plan, 'deploy/audit.sql': 'BEGIN; CREATE TABLE app.audit (id int); COMMIT;\n', 'revert/audit.sql': 'BEGIN; DROP TABLE app.audit; COMMIT;\n' });
    const raw = sqitchPlanRaw(dir);
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.migrations.map((m) => [m.toolId, m.name]),
      raw.map((c) => [c.id, c.name]),
    );
    // No verify script: sqitch skips the verification with a warning; Tidemark has no verify section for it.
    assert.equal(found.migrations[3].version, 'audit');
    assert.equal(found.migrations[3].verify, undefined);
  });

  it('refuses what sqitch refuses in a plan, naming the line', () => {
    const bad = parseSqitchPlan(
      HEADER +
        [
          line('a'),
          line('b', 'c'), // requires a change planned later
          line('c'),
          line('a'), // a rework without a tag between
          line('d', 'nope'), // unknown change
          line('e', 'a a'), // duplicate dependency
          '@t1 2024-01-01T00:00:00Z Ann <ann@example.com>',
          '@t1 2024-01-01T00:00:00Z Ann <ann@example.com>',
          'f 2024-01-01T00:00:00Z',
          'HEAD 2024-01-01T00:00:00Z Ann <ann@example.com>',
        ].join('\n'),
    );
    assert.deepEqual(
      bad.errors.map((e) => `${e.line}: ${e.message.replace(/;.*/, '')}`),
      [
        '7: change "a" duplicates earlier declaration on line 4',
        '9: duplicate dependency "a"',
        '11: tag "t1" duplicates earlier declaration on line 10',
        '12: missing planner name and email',
        '13: "HEAD" is a reserved name',
        '5: change "b" planned 1 change before required change "c": move it down 1 line',
        '8: unknown change "nope" required by change "d"',
      ],
    );
    assert.deepEqual(parseSqitchPlan(line('a')).errors[0], { line: 1, message: 'invalid pragma; a blank line must come between pragmas and changes' });
  });

  it('reports a plan error, a missing deploy script and scripts no change names — never an empty success', () => {
    const dir = scratchDir('sqitch-bad-');
    writeFiles(dir, {
      'sqitch.plan': HEADER + [line('one'), line('two', 'zero'), line('three')].join('\n') + '\n',
      'deploy/one.sql': 'BEGIN; CREATE TABLE one (id int); COMMIT;\n',
      'deploy/two.sql': 'CREATE TABLE two (id int);\n',
      'deploy/forgotten.sql': 'CREATE TABLE forgotten (id int);\n',
    });
    const found = discoverMigrations(dir);
    assert.equal(found.layout, 'sqitch');
    assert.deepEqual(
      found.migrations.map((m) => m.version),
      ['one', 'two'],
    );
    const messages = found.problems.map((p) => p.message);
    assert.ok(
      messages.some((m) => /sqitch\.plan:5: unknown change "zero" required by change "two"/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /change "three" .* has no deploy script: deploy\/three\.sql does not exist/.test(m)),
      messages.join('\n'),
    );
    assert.ok(messages.some((m) => /change "one" has no revert script/.test(m)));
    assert.deepEqual(
      found.unused.map((u) => [u.path.slice(dir.length + 1), u.why]),
      [['deploy/forgotten.sql', 'a deploy script no change in sqitch.plan names']],
    );
    // A script without BEGIN runs statement by statement under psql: no transaction at all.
    assert.equal(found.migrations[1].execution.transaction, 'none');
    assert.equal(found.migrations[0].execution.transaction, 'own');
  });

  it('finds the scripts where sqitch.conf puts them (top_dir, extension)', () => {
    const dir = scratchDir('sqitch-conf-');
    writeFiles(dir, {
      'sqitch.conf': '[core]\n\tengine = pg\n\ttop_dir = db\n[engine "pg"]\n\textension = pgsql\n',
      'db/sqitch.plan': HEADER + line('one') + '\n',
      'db/deploy/one.pgsql': 'BEGIN; CREATE TABLE one (id int); COMMIT;\n',
      'db/revert/one.pgsql': 'BEGIN; DROP TABLE one; COMMIT;\n',
    });
    const found = discoverMigrations(dir);
    assert.equal(found.layout, 'sqitch');
    assert.deepEqual(found.problems, []);
    assert.equal(found.migrations[0].up.file.path, join(dir, 'db', 'deploy', 'one.pgsql'));
  });

  it('tells a script that opens its own transaction from one that does not, by its statements', () => {
    assert.equal(opensOwnTransaction('-- c\nBEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n'), true);
    assert.equal(opensOwnTransaction('START TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;'), true);
    assert.equal(opensOwnTransaction('CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;\n'), false);
    assert.equal(opensOwnTransaction("CREATE TABLE t (s text DEFAULT 'BEGIN;');"), false);
  });

  it('keeps the version of a change when it is reworked later, so its history row stays its own', () => {
    const before = parseSqitchPlan(HEADER + [line('users'), '@v1 2024-01-01T00:01:00Z Ann <ann@example.com>'].join('\n'));
    const after = parseSqitchPlan(HEADER + [line('users'), '@v1 2024-01-01T00:01:00Z Ann <ann@example.com>', line('users', 'users@v1', 2)].join('\n'));
    assert.equal(before.changes[0].id, after.changes[0].id);
    assert.deepEqual(
      after.changes.map((c) => [sqitchVersion(c), c.reworkTags]),
      [
        ['users', ['v1']],
        ['users~2', []],
      ],
    );
    assert.equal(sqitchVersion(before.changes[0]), 'users');
  });
});

describe('migrations/layouts/sqitch: a script linted as part of its change', () => {
  before(() => ensureParser());

  it('lints revert/app.devices/create.sql as the down of its change, with the deploy script as its up', () => {
    const path = join(fixture, 'revert', 'app.devices', 'create.sql');
    const unit = buildLintUnit(path, readFileSync(path, 'utf8'));
    assert.equal(unit.version, 'app.devices/create');
    assert.equal(unit.fileSection, 'down');
    assert.equal(unit.up?.file.path, join(fixture, 'deploy', 'app.devices', 'create.sql'));
    assert.equal(unit.execution.transaction, 'own');
    // The earlier instance of a reworked change, from its @TAG file.
    const reworked = join(fixture, 'deploy', 'insert_user@v1.0.0.sql');
    assert.equal(buildLintUnit(reworked, readFileSync(reworked, 'utf8')).version, 'insert_user');
  });

  it("does not ask to delete the BEGIN / COMMIT a sqitch script owns (sqitch's convention)", () => {
    const path = join(fixture, 'deploy', 'zz_users.sql');
    const findings = lintUnit(buildLintUnit(path, readFileSync(path, 'utf8')));
    assert.deepEqual(
      findings.filter((f) => f.rule === 'transaction-nesting'),
      [],
    );
    // The same file in a dbmate folder: Tidemark's runner runs a file that owns its transaction as
    // written there too, so the same description ('own') and the same silence.
    const dir = scratchDir('dbmate-');
    writeFiles(dir, { '001_users.sql': readFileSync(path, 'utf8') });
    const asDbmate = buildLintUnit(join(dir, '001_users.sql'), readFileSync(path, 'utf8'));
    assert.equal(asDbmate.execution.transaction, 'own');
    assert.deepEqual(
      lintUnit(asDbmate).filter((f) => f.rule === 'transaction-nesting'),
      [],
    );
  });
});
