import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, loadConfig, durationMs, configJsonSchema } from '../../../server/src/migrations/config';
import { scratchDir } from '../../support/test-cleanup';

describe('migrations/config: tidemark.json', () => {
  it('accepts the documented shape, comments and trailing commas included', () => {
    const { config, problems } = parseConfig(`{
      // environments
      "migrationsDir": "db/migrations",
      "environments": {
        "local": { "url": "postgres://postgres@localhost:5432/app" },
        "staging": { "url": "\${env:STAGING_DATABASE_URL}", "after": "local" },
        "production": { "host": "db.internal", "database": "app", "user": "deploy", "ssl": true, "protected": true, "after": "staging", "lockTimeout": "5s" },
      },
      "lint": { "rules": { "require-lock-timeout": "off" } }
    }`);
    assert.deepEqual(problems, []);
    assert.equal(config.environments?.production.protected, true);
    assert.equal(config.lint?.rules?.['require-lock-timeout'], 'off');
  });

  it('names the field and points at it for a wrong value', () => {
    const text = '{\n  "environments": {\n    "staging": { "port": "5432" }\n  }\n}';
    const { problems } = parseConfig(text);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].field, 'environments.staging.port');
    assert.equal(text.slice(problems[0].start, problems[0].end), '"5432"');
  });

  it('underlines an unknown field by name', () => {
    const text = '{ "environments": { "local": { "url": "postgres://localhost/app", "pasword": "x" } } }';
    const { problems } = parseConfig(text);
    assert.equal(problems[0].field, 'environments.local.pasword');
    assert.match(problems[0].message, /unknown field "pasword"/);
    assert.equal(text.slice(problems[0].start, problems[0].end), '"pasword"');
  });

  it('refuses a password written into a URL', () => {
    const { problems } = parseConfig('{ "environments": { "local": { "url": "postgres://app:hunter2@localhost/app" } } }');
    assert.equal(problems[0].field, 'environments.local.url');
    assert.match(problems[0].message, /password/);
    assert.doesNotMatch(problems[0].message, /hunter2/);
    assert.deepEqual(parseConfig('{ "environments": { "l": { "url": "postgres://app:${env:PW}@localhost/app" } } }').problems, []);
  });

  it('reports broken JSON with its position, and keeps the valid parts of a half-valid file', () => {
    const broken = parseConfig('{ "migrationsDir": "m", }}');
    assert.match(broken.problems[0].message, /invalid JSON/);
    const half = parseConfig('{ "migrationsDir": "db", "lint": { "rules": { "x": "loud" } } }');
    assert.equal(half.config.migrationsDir, 'db');
    assert.equal(half.problems[0].field, 'lint.rules.x');
  });

  it('resolves the migrations folder: configured, else migrations/, else the root', () => {
    const root = scratchDir('config-');
    assert.equal(loadConfig(root).migrationsDir, root);
    mkdirSync(join(root, 'migrations'));
    assert.equal(loadConfig(root).migrationsDir, join(root, 'migrations'));
    writeFileSync(join(root, 'tidemark.json'), '{ "migrationsDir": "db" }');
    assert.equal(loadConfig(root).migrationsDir, join(root, 'db'));
    const missing = loadConfig(root, 'nope.json');
    assert.match(missing.problems[0].message, /config file not found/);
  });

  it('reads durations with units and produces a JSON Schema for the editor', () => {
    assert.deepEqual([durationMs('5s'), durationMs('250ms'), durationMs('2min'), durationMs(100)], [5000, 250, 120000, 100]);
    const schema = configJsonSchema() as { properties: Record<string, unknown> };
    assert.ok(schema.properties.environments && schema.properties.lint);
  });
});
