/**
 * The injection grammar (syntaxes/tidemark-sql.injection.tmLanguage.json) checked with
 * vscode-tmgrammar-test against VS Code's own SQL grammar (shipped in the tm-grammars package) as
 * the host, the way VS Code loads it: injected into source.sql through package.json's
 * contributes.grammars entry. The annotated files test/grammar/*.sql hold the expected scopes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  language?: string;
}

const grammarDir = join(repoRoot, 'test', 'grammar');
const hostGrammar = join(repoRoot, 'node_modules', 'tm-grammars', 'grammars', 'sql.json');
const testerBin = join(repoRoot, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');

function contributedInjection(): GrammarContribution {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
  const entry = manifest.contributes?.grammars?.find((g) => g.path.replace(/^\.\//, '') === 'syntaxes/tidemark-sql.injection.tmLanguage.json');
  assert.ok(entry, 'package.json contributes syntaxes/tidemark-sql.injection.tmLanguage.json');
  return entry;
}

/** A language configuration for the tester: the host SQL grammar plus the contributed injection. */
function testerConfig(injection: GrammarContribution): string {
  const dir = scratchDir('grammar-');
  const config = {
    contributes: {
      languages: [{ id: 'sql', extensions: ['.sql'] }],
      grammars: [
        { language: 'sql', scopeName: 'source.sql', path: hostGrammar },
        { ...injection, path: join(repoRoot, injection.path) },
      ],
    },
  };
  // The tester joins grammar paths to the config's folder; absolute paths survive that join only
  // as relative ones, so write them relative to the config.
  for (const g of config.contributes.grammars) g.path = relative(dir, g.path);
  const path = join(dir, 'package.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function runTester(config: string, files: string[]) {
  // The timeout only guards against a grammar that loops forever; it is not a speed assertion.
  return spawnSync(process.execPath, [testerBin, '--compact', '--config', config, ...files], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
}

describe('syntaxes/tidemark-sql.injection.tmLanguage.json', function () {
  this.timeout(180_000);
  const injection = contributedInjection();
  const grammar = JSON.parse(readFileSync(join(repoRoot, injection.path), 'utf8')) as { scopeName: string; injectionSelector: string };

  it('is the grammar package.json contributes, injected into source.sql outside comments and strings', () => {
    assert.equal(grammar.scopeName, injection.scopeName);
    assert.deepEqual(injection.injectTo, ['source.sql']);
    assert.match(grammar.injectionSelector, /^L:source\.sql\b/);
  });

  it('gives every annotated token in test/grammar/*.sql its expected scopes', () => {
    const files = readdirSync(grammarDir).filter((f) => f.endsWith('.sql')).map((f) => join('test', 'grammar', f));
    assert.ok(files.length >= 2, 'annotated grammar test files exist');
    const result = runTester(testerConfig(injection), files);
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 0, `vscode-tmgrammar-test failed:\n${result.stdout}\n${result.stderr}`);
    for (const f of files) assert.match(result.stdout, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} run successfuly`));
  });

  it('fails a file whose annotation names a scope the grammar does not give', () => {
    const dir = scratchDir('grammar-wrong-');
    const wrong = join(dir, 'wrong.sql');
    writeFileSync(wrong, ['-- SYNTAX TEST "source.sql" "a wrong expectation"', '-- migrate:up', '--         ^^ entity.name.section.tidemark', '-- ^^^^^^^ keyword.control.directive.tidemark', ''].join('\n'));
    const result = runTester(testerConfig(injection), [wrong]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /keyword\.control\.directive\.tidemark/);
  });
});
