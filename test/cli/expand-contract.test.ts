/**
 * `tidemark new --expand-contract` as a user runs it: each kind writes three migrations in the
 * project's layout, every generated file passes Tidemark's own lint with nothing above info and
 * the replay check (every statement runs, the verify passes, the up runs twice, the down restores
 * the schema and runs twice), soak times come from tidemark.json, and bad input is one clear line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempWorkspace } from '../support/lsp-client';
import { repoRoot, sampleDir } from '../support/paths';
import { SCENARIOS, usersSchema, USERS_DOWN } from '../support/live-change';

function tidemark(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SCHEMA = usersSchema(50);
const DOWN = USERS_DOWN;

const LAYOUTS: Record<string, Record<string, string>> = {
  sections: { 'migrations/001_base.sql': `-- tidemark-ignore-file prefer-bigint-over-int\n-- migrate:up\n${SCHEMA}-- migrate:down\n${DOWN}` },
  paired: { 'migrations/001_base.up.sql': `-- tidemark-ignore-file prefer-bigint-over-int\n${SCHEMA}`, 'migrations/001_base.down.sql': DOWN },
  folders: { 'migrations/001_base.sql': `-- tidemark-ignore-file prefer-bigint-over-int\n${SCHEMA}`, 'migrations/rollback/001_base.sql': DOWN },
  flyway: { 'migrations/V1__base.sql': `-- tidemark-ignore-file prefer-bigint-over-int\n${SCHEMA}`, 'migrations/U1__base.sql': DOWN },
};

const KINDS: Array<{ kind: string; args: string[] }> = [
  { kind: 'rename-column', args: ['rename-column', 'users', 'email', 'email_address'] },
  { kind: 'change-type', args: ['change-type', 'users', 'amount', 'bigint'] },
  { kind: 'change-type with USING', args: ['change-type', 'users', 'email', 'varchar(200)', '--using', 'lower(email)'] },
  { kind: 'set-not-null', args: ['set-not-null', 'users', 'nickname', '--fill', "'anonymous'"] },
  { kind: 'rename-table', args: ['rename-table', 'users', 'members'] },
  // The live test's split and merge, on the same table.
  ...SCENARIOS.filter((s) => s.kind === 'split-column' || s.kind === 'merge-columns').map((s) => ({ kind: s.kind, args: s.args })),
];

interface Finding {
  file: string;
  rule: string;
  severity: string;
  message: string;
}

function generatedFiles(dir: string, before: Set<string>): string[] {
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else all.push(relative(dir, join(d, e.name)));
    }
  };
  walk(join(dir, 'migrations'));
  return all.filter((f) => !before.has(f)).sort();
}

/** Generates the change and returns its files, the lint and replay findings on them. */
function generate(files: Record<string, string>, args: string[]) {
  const dir = tempWorkspace(files);
  const before = new Set(generatedFiles(dir, new Set()));
  const run = tidemark(['new', '--expand-contract', ...args, '--format', 'json'], dir);
  assert.equal(run.code, 0, run.stderr);
  const created = generatedFiles(dir, before);
  const ours = (f: Finding) => created.includes(f.file);
  const lint = tidemark(['lint', '--format', 'json'], dir);
  const check = tidemark(['check', '--format', 'json'], dir);
  return {
    dir,
    output: JSON.parse(run.stdout) as { phases: Array<{ role: string; version: string; files: string[] }>; notes: string[] },
    created,
    lint: (JSON.parse(lint.stdout) as Finding[]).filter(ours),
    check: (JSON.parse(check.stdout) as Finding[]).filter(ours),
  };
}

describe('tidemark new --expand-contract', function () {
  this.timeout(180_000);

  for (const { kind, args } of KINDS) {
    it(`${kind}: three phases that pass lint (nothing above info) and the replay check`, () => {
      const g = generate(LAYOUTS.sections, args);
      assert.deepEqual(
        g.output.phases.map((p) => p.role),
        kind === 'rename-table' ? ['expand', 'switch', 'contract'] : ['expand', 'backfill', 'contract'],
      );
      assert.deepEqual(
        g.output.phases.map((p) => p.version),
        ['002', '003', '004'],
      );
      // varchar(200) is the user's choice of type: prefer-text-field says so, rightly.
      const aboveInfo = g.lint.filter((f) => (f.severity === 'error' || f.severity === 'warning') && !(kind === 'change-type with USING' && f.rule === 'prefer-text-field'));
      assert.deepEqual(aboveInfo, []);
      assert.deepEqual(g.check, []);
      const texts = g.created.map((f) => readFileSync(join(g.dir, f), 'utf8'));
      for (const text of texts) {
        assert.match(text, /lock_timeout = '5s'/);
        for (const part of ['migrate:up', 'migrate:down', 'migrate:verify']) assert.ok(text.includes(part), `${part} in\n${text}`);
      }
      if (kind !== 'rename-table') {
        assert.match(texts[1], /-- tidemark:no-transaction/);
        assert.match(texts[1], /COMMIT;/);
        assert.match(texts[1], /CALL .*\(1000\);/);
        assert.match(texts[1], /-- expect: 0/);
      }
      assert.match(texts[2], /ANALYZE users;|DROP VIEW IF EXISTS users;/);
    });
  }

  it('writes each layout the project uses, with the soak times of tidemark.json', () => {
    for (const [layout, files] of Object.entries(LAYOUTS)) {
      const g = generate(
        { ...files, 'tidemark.json': JSON.stringify({ expandContract: { soak: { backfill: '12h', contract: false, contractProtected: '3d' }, batchSize: 250 } }) },
        ['rename-column', 'users', 'email', 'email_address'],
      );
      const expected: Record<string, string[]> = {
        sections: [
          'migrations/002_expand_rename_users_email_to_email_address.sql',
          'migrations/003_backfill_rename_users_email_to_email_address.sql',
          'migrations/004_contract_rename_users_email_to_email_address.sql',
        ],
        paired: ['002_expand', '003_backfill', '004_contract']
          .flatMap((p) => ['check', 'down', 'up', 'verify'].map((s) => `migrations/${p}_rename_users_email_to_email_address.${s}.sql`))
          .sort(),
        folders: ['002_expand', '003_backfill', '004_contract']
          .flatMap((p) => ['', 'check/', 'rollback/', 'verify/'].map((d) => `migrations/${d}${p}_rename_users_email_to_email_address.sql`))
          .sort(),
        flyway: ['2', '3', '4']
          .flatMap((v, i) => [
            `U${v}__${['expand', 'backfill', 'contract'][i]}_rename_users_email_to_email_address.sql`,
            `V${v}__${['expand', 'backfill', 'contract'][i]}_rename_users_email_to_email_address.sql`,
          ])
          .map((f) => `migrations/${f}`)
          .sort(),
      };
      assert.deepEqual(g.created, expected[layout], layout);
      assert.deepEqual(
        g.lint.filter((f) => f.severity === 'error' || f.severity === 'warning'),
        [],
        layout,
      );
      assert.deepEqual(g.check, [], layout);
      const all = g.created.map((f) => readFileSync(join(g.dir, f), 'utf8')).join('\n');
      assert.match(all, /-- tidemark:soak 12h\n/, layout);
      assert.match(all, /-- tidemark:soak 3d in protected\n/, layout);
      assert.match(all, /CALL users_backfill_email_address\(250\);/, layout);
    }
  });

  it('names the policies it moves and the views the contract waits for', () => {
    const g = generate(
      {
        ...LAYOUTS.sections,
        'migrations/002_view.sql': '-- migrate:up\nCREATE OR REPLACE VIEW user_emails AS SELECT id, email FROM users;\n-- migrate:down\nDROP VIEW IF EXISTS user_emails;\n',
      },
      ['rename-column', 'users', 'email', 'email_address'],
    );
    assert.deepEqual(g.output.notes, [
      'policy users_self on users names email: the backfill phase moves it',
      'view user_emails reads email: recreate it before the contract (its pre-check waits for that)',
    ]);
    const expand = readFileSync(join(g.dir, g.created[0]), 'utf8');
    assert.match(expand, /policy users_self on users: moved to email_address by the backfill phase/);
    assert.match(expand, /view user_emails: reads email; recreate it over email_address before the contract/);
    const backfill = readFileSync(join(g.dir, g.created[1]), 'utf8');
    assert.match(backfill, /ALTER POLICY users_self ON users\n {2}USING \(\(email_address = current_setting/);
  });

  it('on migrations-sample (uuid keys, RLS, Flyway names): the phases pass lint and the replay check', () => {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const full = join(d, e.name);
        if (e.isDirectory()) walk(full);
        else files[relative(sampleDir, full)] = readFileSync(full, 'utf8');
      }
    };
    walk(join(sampleDir, 'migrations'));
    files['tidemark.json'] = readFileSync(join(sampleDir, 'tidemark.json'), 'utf8');
    const g = generate(files, ['rename-column', 'api_keys', 'name', 'label']);
    assert.deepEqual(
      g.created.filter((f) => /V1\d__/.test(f)),
      [
        'migrations/V12__expand_rename_api_keys_name_to_label.sql',
        'migrations/V13__backfill_rename_api_keys_name_to_label.sql',
        'migrations/V14__contract_rename_api_keys_name_to_label.sql',
      ],
    );
    assert.deepEqual(
      g.lint.filter((f) => f.severity === 'error' || f.severity === 'warning'),
      [],
    );
    assert.deepEqual(g.check, []);
  });

  it('refuses bad input with one clear line', () => {
    const dir = tempWorkspace(LAYOUTS.sections);
    const cases: Array<[string[], RegExp]> = [
      [['rename-column', 'nope', 'email', 'x'], /table nope does not exist in the schema the project's migrations build/],
      [['rename-column', 'users', 'nope', 'x'], /column nope does not exist on users/],
      [['rename-column', 'users', 'email', 'nickname'], /users already has a column nickname/],
      [['rename-column', 'users', 'id', 'key'], /part of the primary key/],
      [['set-not-null', 'users', 'nickname'], /set-not-null needs --fill EXPR/],
      [['change-type', 'users', 'amount', 'no_such_type'], /TYPE "no_such_type" is not a type/],
      [['drop-everything', 'users'], /--expand-contract takes one of rename-column, change-type, set-not-null, rename-table, split-column, merge-columns, not "drop-everything"/],
      [['split-column', 'users', 'full_name', 'first_name', 'last_name', '--first', 'x'], /split-column needs --first EXPR and --second EXPR .* and --join EXPR/],
      [
        [
          'split-column',
          'users',
          'full_name',
          'first_name',
          'last_name',
          '--first',
          "split_part(fullname, ' ', 1)",
          '--second',
          "split_part(full_name, ' ', 2)",
          '--join',
          'first_name',
        ],
        /--first "split_part\(fullname, ' ', 1\)" does not work over full_name: column "fullname" does not exist/,
      ],
      [
        ['split-column', 'users', 'email', 'a', 'b', '--first', 'email', '--second', 'email', '--join', 'a'],
        /users\.email has index users_email_key, index users_lower_email_idx, constraint users_email_length/,
      ],
      [['merge-columns', 'users', 'given_name', 'amount', 'x', '--first', 'x', '--second', 'x', '--join', 'x'], /given_name is text and amount is integer/],
      [['rename-table', 'users'], /rename-table needs rename-table TABLE NEW_NAME/],
    ];
    for (const [args, message] of cases) {
      const run = tidemark(['new', '--expand-contract', ...args], dir);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
    assert.deepEqual(readdirSync(join(dir, 'migrations')), ['001_base.sql']);
  });
});
