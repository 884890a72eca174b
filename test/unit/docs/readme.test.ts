/**
 * The README is the reference a new user reads first: it must document every tidemark.json field
 * and every CLI command and option that exist, and its links must lead somewhere.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig, TidemarkConfig } from '../../../server/src/migrations/config';
import { allCommands } from '../../../server/src/cli/main';
import { COMMON_FLAGS } from '../../../server/src/cli/args';
import { repoRoot } from '../../support/paths';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`);
  assert.ok(start >= 0, `README has a "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README.md', () => {
  it('documents every tidemark.json field, top-level and per environment', () => {
    const config = section('Configuration');
    const missing = [...Object.keys(TidemarkConfig.shape), ...Object.keys(EnvironmentConfig.shape)].filter(
      (field) => !config.includes(`\`${field}\``) && !config.includes(`\`${field}.`),
    );
    assert.deepEqual(missing, [], 'config fields missing from the README');
  });

  it('documents every CLI command and option', () => {
    const cli = section('Command line');
    for (const command of allCommands()) assert.ok(cli.includes(`tidemark ${command.name}`), `README documents "tidemark ${command.name}"`);
    const flags = new Set([...Object.keys(COMMON_FLAGS), ...allCommands().flatMap((c) => Object.keys(c.flags))]);
    const missing = [...flags].filter((flag) => !cli.includes(`--${flag}`));
    assert.deepEqual(missing, [], 'CLI options missing from the README');
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/i.test(href));
    assert.ok(links.length > 10, `${links.length} relative links`);
    const broken = links.filter((href) => !existsSync(join(repoRoot, decodeURIComponent(href))));
    assert.deepEqual(broken, [], 'README links to missing files');
  });
});
