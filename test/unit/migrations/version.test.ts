import assert from 'node:assert/strict';
import { classifyFile, compareVersions } from '../../../server/src/migrations/version';

describe('migrations/version: versions and roles from file names', () => {
  it('reads the leading numeric version and the name in every layout', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['001_create_users.sql', { version: '001', name: 'create_users', role: 'sections', layout: 'sections' }],
      ['20251126_004_add_index.sql', { version: '20251126_004', name: 'add_index', role: 'sections' }],
      ['20251026000001-tenants.sql', { version: '20251026000001', name: 'tenants' }],
      ['002_api_keys.up.sql', { version: '002', name: 'api_keys', role: 'up', layout: 'paired' }],
      ['002_api_keys.down.sql', { version: '002', role: 'down', layout: 'paired' }],
      ['002_api_keys.verify.sql', { version: '002', role: 'verify', layout: 'paired' }],
      ['rollback/003_audit.sql', { version: '003', name: 'audit', role: 'down', layout: 'folders' }],
      ['rollback/003_rollback.sql', { version: '003', role: 'down', layout: 'folders' }],
      ['verify/003_audit.sql', { version: '003', role: 'verify', layout: 'folders' }],
      ['V1_2__add_roles.sql', { version: '1.2', name: 'add_roles', role: 'up', layout: 'flyway' }],
      ['V1.10__x.sql', { version: '1.10', role: 'up', layout: 'flyway' }],
      ['U1_2__add_roles.sql', { version: '1.2', role: 'down', layout: 'flyway' }],
      ['001_2fa_codes.sql', { version: '001', name: '2fa_codes' }],
    ];
    for (const [path, expected] of cases) {
      const got = classifyFile(path);
      assert.ok(got, `${path} should be a migration file`);
      for (const [k, v] of Object.entries(expected)) assert.equal((got as unknown as Record<string, unknown>)[k], v, `${path}: ${k}`);
    }
  });

  it('ignores files that are not numbered SQL migrations', () => {
    for (const path of ['README.md', 'seed.sql', 'notes.txt', 'schema.sql']) assert.equal(classifyFile(path), undefined, path);
  });

  it('orders versions group by group as numbers', () => {
    const sorted = ['10', '2', '1.10', '1.2', '001', '20251126_004', '20251126_010'].sort(compareVersions);
    assert.deepEqual(sorted, ['001', '1.2', '1.10', '2', '10', '20251126_004', '20251126_010']);
  });
});
