/**
 * One rule decides which tidemark.json governs a file, for `tidemark lint PATH` and for the editor:
 * before, the CLI took the nearest one and the editor a workspace root's whose migrationsDir held
 * the file, so the same file could be linted with two different settings.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectOfFile } from '../../../server/src/migrations/config';
import { lenientDiskReader } from '../../../server/src/migrations/discovery';
import { ProjectConfigs } from '../../../server/src/cli/project-input';
import type { Output } from '../../../server/src/cli/command';
import { WorkspaceConfigs } from '../../../server/src/lsp/workspace-config';
import { scratchDir } from '../../support/test-cleanup';

function project(files: Record<string, string>): string {
  const root = scratchDir('project-of-file-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const quiet: Output = { stdout: () => undefined, stderr: () => undefined };

/** The config path the CLI and the editor choose for `file` when opened at `root`. */
function chosen(root: string, file: string) {
  const cli = new ProjectConfigs(root, undefined, quiet).forFile(join(root, file)).path;
  const editor = new WorkspaceConfigs(lenientDiskReader);
  editor.setWorkspaceFolders([root]);
  return { cli, editor: editor.forFile(join(root, file)).path };
}

describe('projectOfFile: the tidemark.json of a file, for the CLI and the editor alike', () => {
  it('a root config whose migrationsDir holds the file wins over a nearer tidemark.json', () => {
    const root = project({
      'tidemark.json': JSON.stringify({ migrationsDir: 'db/migrations', lint: { rules: { 'ban-drop-table': 'off' } } }),
      'db/tidemark.json': JSON.stringify({ migrationsDir: 'other' }),
      'db/migrations/001_a.sql': 'DROP TABLE a;\n',
    });
    assert.deepEqual(chosen(root, 'db/migrations/001_a.sql'), { cli: join(root, 'tidemark.json'), editor: join(root, 'tidemark.json') });
  });

  it('else the nearest tidemark.json above the file', () => {
    const root = project({ 'tidemark.json': '{}', 'migrations/001_root.sql': 'SELECT 1;\n', 'service/tidemark.json': '{}', 'service/migrations/001_a.sql': 'SELECT 1;\n' });
    assert.deepEqual(chosen(root, 'service/migrations/001_a.sql'), { cli: join(root, 'service', 'tidemark.json'), editor: join(root, 'service', 'tidemark.json') });
  });

  it("else no config: the root holding the file is the project, or the file's folder", () => {
    const exists = () => false;
    const migrationsDirOf = () => assert.fail('no config to read');
    assert.deepEqual(projectOfFile('/w/migrations/001_a.sql', ['/w'], { exists, migrationsDirOf }), { root: '/w' });
    assert.deepEqual(projectOfFile('/elsewhere/001_a.sql', ['/w'], { exists, migrationsDirOf }), { root: '/elsewhere' });
    const root = project({ 'migrations/001_a.sql': 'SELECT 1;\n' });
    assert.deepEqual(chosen(root, 'migrations/001_a.sql'), { cli: undefined, editor: undefined });
  });
});
