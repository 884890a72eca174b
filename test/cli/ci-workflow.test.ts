/**
 * The README's GitHub workflow is copied by users as written: its `run:` steps must work. This
 * packs Tidemark as the README says (`npm pack`), puts the tarball where the workflow expects it in a
 * copy of migrations-sample, and runs the workflow's own `run:` lines with a private npm prefix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';

function workflowRunSteps(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In CI: SARIF for GitHub code scanning'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(yaml, 'the README has a yaml workflow in its CI section');
  return [...yaml[1].matchAll(/^\s+(?:- )?run: (.+)$/gm)].map((m) => m[1].trim());
}

describe("the README's GitHub workflow", function () {
  this.timeout(240_000);

  it("installs the packed tarball and writes the same SARIF as the repository's own CLI", () => {
    const steps = workflowRunSteps();
    const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const tarball = `${name}-${version}.tgz`;
    assert.deepEqual(steps, [`npm install -g ./tools/${tarball}`, 'tidemark lint --format sarif > tidemark.sarif']);

    const packDir = scratchDir('pack-');
    const pack = spawnSync('npm', ['pack', '--pack-destination', packDir], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    assert.equal(pack.stdout.trim().split('\n').pop(), tarball, 'npm pack writes the file name the README names');

    const project = scratchDir('workflow-');
    cpSync(join(repoRoot, 'migrations-sample', 'migrations'), join(project, 'migrations'), { recursive: true });
    cpSync(join(repoRoot, 'migrations-sample', 'tidemark.json'), join(project, 'tidemark.json'));
    mkdirSync(join(project, 'tools'));
    renameSync(join(packDir, tarball), join(project, 'tools', tarball));

    // A global install into a prefix of the test's own, as `npm install -g` does on the runner.
    const prefix = scratchDir('npm-prefix-');
    const env = { ...process.env, npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false', PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const install = spawnSync('bash', ['-c', steps[0]], { cwd: project, env, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    const lint = spawnSync('bash', ['-c', steps[1]], { cwd: project, env, encoding: 'utf8' });
    assert.ok(lint.status === 0 || lint.status === 1, `lint exits 0 or 1 (findings), not ${lint.status}: ${lint.stderr}`);

    const sarif = JSON.parse(readFileSync(join(project, 'tidemark.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const own = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'lint', '--format', 'sarif'], { cwd: project, encoding: 'utf8' });
    assert.equal(lint.status, own.status);
    assert.deepEqual(sarif, JSON.parse(own.stdout), "the installed tidemark reports what the repository's CLI reports");
  });
});
