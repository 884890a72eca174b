// Writes schemas/tidemark.schema.json (contributed via jsonValidation) from the zod schema in
// server/src/migrations/config.ts, so the editor's validation of tidemark.json and the engine's
// can never disagree. Run by esbuild.mjs on every build; `npm run schema` runs it alone.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(repo, 'schemas', 'tidemark.schema.json');

export async function writeConfigSchema() {
  const built = await esbuild.build({
    entryPoints: [join(repo, 'server/src/migrations/config.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    // jsonc-parser's UMD entry requires its files dynamically; its ESM entry bundles.
    mainFields: ['module', 'main'],
  });
  const filename = join(repo, 'server/src/migrations/config.bundle.cjs');
  const mod = new Module(filename);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(repo);
  mod.require = createRequire(filename);
  mod._compile(built.outputFiles[0].text, filename);
  const schema = mod.exports.configJsonSchema();
  mkdirSync(dirname(schemaPath), { recursive: true });
  writeFileSync(schemaPath, `${JSON.stringify(schema, null, 2)}\n`);
  return schemaPath;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`wrote ${await writeConfigSchema()}`);
}
