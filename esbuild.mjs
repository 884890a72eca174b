// Bundles the three entry points. The WASM parser and PGlite's data files are copied next to
// the bundles because they are loaded from disk at run time, not imported.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { createRequire } from 'node:module';
import { writeConfigSchema } from './scripts/config-schema.mjs';
import { writePgliteTemplate } from './scripts/pglite-template.mjs';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD "main" requires its files dynamically, which a bundle cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
};

/**
 * The CLI is four bundles (dist/cli-check.js, the replay check with PGlite, came last): dist/cli.js (argument parsing) requires dist/cli-lint.js (lint) or
 * dist/cli-runner.js (the database commands, with pg and PGlite), whichever the command needs, so
 * no command compiles the other's code. main.ts's `require('./lint-commands')` and
 * `require('./runner-commands')` are the seams.
 */
const commandBundleSeams = {
  name: 'cli-command-bundle-seams',
  setup(build) {
    const bundles = { './lint-commands': './cli-lint.js', './runner-commands': './cli-runner.js', './check-commands': './cli-check.js' };
    build.onResolve({ filter: /^\.\/(lint|runner|check)-commands$/ }, (args) => {
      // main.ts, and the lint threads' script (cli/lint-worker.ts), which loads the lint bundle as the command does.
      const fromMain = args.importer.endsWith(join('server', 'src', 'cli', 'main.ts'));
      const fromLintThread = args.importer.endsWith(join('server', 'src', 'cli', 'lint-worker.ts')) && args.path === './lint-commands';
      if (!fromMain && !fromLintThread) return undefined;
      // The lint bundle, which CI runs cold and often, loads through V8's code cache (cli/compile-cache.ts).
      return args.path === './lint-commands' ? { path: 'cli-lint.js', namespace: 'compile-cached-bundle' } : { path: bundles[args.path], external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'compile-cached-bundle' }, (args) => ({
      // The lint bundle sets --liftoff-only when it loads (sql/wasm-tiering.ts): the cache is made under it.
      contents: `module.exports = require(${JSON.stringify(resolvePath('server/src/cli/compile-cache.ts'))}).loadBundle(${JSON.stringify(args.path)}, { v8Flags: '--liftoff-only' });`,
      resolveDir: resolvePath('.'),
      loader: 'js',
    }));
    // `lint --replay` (commands/lint.ts) loads the check bundle the same way.
    build.onResolve({ filter: /^\.\.\/check-commands$/ }, (args) =>
      args.importer.endsWith(join('server', 'src', 'cli', 'commands', 'lint.ts')) ? { path: './cli-check.js', external: true } : undefined,
    );
  },
};

/**
 * pg (lib/stream.js) asks at load time whether it runs in a Cloudflare Worker; on Node 20, which has
 * no `navigator`, it finds out by constructing a fetch Response, and that loads Node's whole fetch
 * implementation: 45 ms of every cold `tidemark status` or `apply`. Our bundles only run on Node,
 * so the question is answered at build time. The build fails if pg's code changes shape, rather
 * than silently keeping or losing the check.
 */
const pgOnNode = {
  name: 'pg-on-node',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const check = "if (typeof Response === 'function') {";
      if (!source.includes(check)) throw new Error(`pg-on-node: ${args.path} no longer has the check this build removes; review the plugin`);
      return { contents: source.replace(check, 'if (false) {'), loader: 'js' };
    });
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', plugins: [pgOnNode] },
  // The language server's replay check runs on this worker thread (replay/editor-check.ts starts it).
  { entryPoints: ['server/src/replay/replay-worker.ts'], outfile: 'dist/replay-worker.js', plugins: [pgOnNode] },
  // The workspace lint's worker threads (lsp/background-linters.ts starts them).
  { entryPoints: ['server/src/lsp/workspace-lint-worker.ts'], outfile: 'dist/workspace-lint-worker.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [commandBundleSeams] },
  { entryPoints: ['server/src/cli/lint-commands.ts'], outfile: 'dist/cli-lint.js', plugins: [commandBundleSeams] },
  // The lint threads of `tidemark lint` over many files (cli/lint-threads.ts starts them): a loader of dist/cli-lint.js.
  { entryPoints: ['server/src/cli/lint-worker.ts'], outfile: 'dist/cli-lint-worker.js', plugins: [commandBundleSeams] },
  { entryPoints: ['server/src/cli/runner-commands.ts'], outfile: 'dist/cli-runner.js', plugins: [pgOnNode] },
  { entryPoints: ['server/src/cli/check-commands.ts'], outfile: 'dist/cli-check.js', plugins: [commandBundleSeams, pgOnNode] },
];

function copyRuntimeAssets() {
  mkdirSync('dist', { recursive: true });
  const pgQueryDir = dirname(require.resolve('libpg-query'));
  cpSync(join(pgQueryDir, 'libpg-query.wasm'), 'dist/libpg-query.wasm');
  const pgliteDir = dirname(require.resolve('@electric-sql/pglite'));
  for (const file of readdirSync(pgliteDir)) {
    if (file.endsWith('.wasm') || file.endsWith('.data')) cpSync(join(pgliteDir, file), join('dist', file));
    // The contrib extension bundles, loaded when a project's migrations create them (database/pglite-extensions.ts).
    if (file.endsWith('.tar.gz')) {
      mkdirSync('dist/pglite-extensions', { recursive: true });
      cpSync(join(pgliteDir, file), join('dist/pglite-extensions', file));
    }
  }
}

import { existsSync } from 'node:fs';
const present = entries.filter((e) => existsSync(e.entryPoints[0]));
copyRuntimeAssets();
await Promise.all([writeConfigSchema(), writePgliteTemplate('dist')]);
if (watch) {
  // `npm run watch` (F5 in VS Code runs it first, .vscode/tasks.json): one line when a rebuild
  // starts and ends, and each error as file:line:column, which the task's problem matcher reads.
  const announce = {
    name: 'watch-announce',
    setup(build) {
      build.onStart(() => console.log(`[watch] build started: ${build.initialOptions.outfile}`));
      build.onEnd((result) => {
        for (const e of result.errors)
          console.log(`${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}` : build.initialOptions.outfile}: error: ${e.text}`);
        console.log(`[watch] build finished: ${build.initialOptions.outfile} (${result.errors.length} errors)`);
      });
    },
  };
  for (const e of present) (await esbuild.context({ ...common, ...e, plugins: [...(e.plugins ?? []), announce] })).watch();
} else {
  await Promise.all(present.map((e) => esbuild.build({ ...common, ...e })));
}
