/**
 * `tidemark lint [paths...]`: the language server's diagnostics for CI. With no paths, every
 * migration file under migrationsDir; with paths, those files and folders.
 */
import { dirname, resolve } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import type { CliCommand, Output } from '../command';
import { CliError } from '../command';
import { UsageError, type ParsedArgs } from '../args';
import { configFileCandidates, environmentNames, type SeveritySetting } from '../../migrations/config';
import { filesFromMigrationsDir, filesFromPaths, isDirectory, ProjectConfigs, type FolderFindings } from '../project-input';
import { folderLayout } from '../../migrations/layouts';
import { PACKAGE_JSON, packageVersion } from '../package-version';
import { DEFAULT_DOCS_BASE } from '../../lint/engine';
import { allRules } from '../../lint/rules';
import { displayPath, type LintReport, type LocatedFinding } from '../format/located';
import { formatText } from '../format/text';
import { jsonChunks } from '../format/json';
import { formatSarif } from '../format/sarif';
import { DiskSnapshot, LintCache, lintInputsKey, toolFingerprint } from '../../lint-cache/lint-cache';
import { recordRun, type RunInputs } from '../../lint-cache/run-record';
import { DEFAULT_CACHE_LOCATION, LINT_FLAGS, lintCacheDir, lintRunKey } from '../lint-options';
import { migrationFolder } from '../../lint/unit';
import type { ExecutionPolicy } from '../../migrations/execution';
import { steadyDisk } from '../../migrations/steady-disk';
import { keepCachesOfRun, lintMigrationFile, type LintedFile } from '../file-lint';
import { lintThreadScript, LintThreads, planRanges, threadsToUse, type FileToLint } from '../lint-threads';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'lint',
  summary: COMMAND_SUMMARIES.lint,
  usage: [
    'Usage: tidemark lint [paths...] [--format text|json|sarif] [--cwd DIR] [--config FILE] [--cache [--cache-location DIR]] [--replay]',
    '',
    'Without paths, lints every migration under migrationsDir (tidemark.json, default migrations/).',
    `--cache keeps each file's findings in ${DEFAULT_CACHE_LOCATION}/ (or --cache-location DIR) and re-lints`,
    'only files whose text, migration, earlier migrations (for rules that read them) or config changed;',
    'a re-run of the same command on an unchanged tree prints the recorded output without linting.',
    '--replay also runs the replay check (tidemark check) on the same migrations.',
    'TIDEMARK_LINT_THREADS=auto lints many files over worker threads when a core is idle; =N sets how many (default 1: none).',
    'Exit status: 0 no errors, 1 a finding with severity error, 2 bad input (config, paths), 3 a lint thread failed.',
  ].join('\n'),
  flags: LINT_FLAGS,
  // One batch: each folder is listed, read and indexed once for all its files (steady-disk.ts).
  run: (args, given) => {
    keepCachesOfRun();
    const heap = v8OfRun();
    return steadyDisk(() => lint(args, given, heap)).finally(heap.restore);
  },
};
export default command;

async function lint(args: ParsedArgs, given: Output, heap: { check(): void }): Promise<number> {
  const startedAt = Date.now();
  const recordKey = lintRunKey(args);
  // Only a run that may be recorded keeps a copy of what it prints.
  const tee = recordKey ? new TeeOutput(given) : undefined;
  const out = tee ?? given;
  if (args.common.format === 'markdown') throw new CliError('--format markdown is only for status; lint prints text, json or sarif');
  const cwd = resolve(args.common.cwd);
  if (!isDirectory(cwd)) throw new CliError(`--cwd: no such folder: ${cwd}`);
  const configs = new ProjectConfigs(cwd, args.common.config, out);
  const folders: FolderFindings = [];
  const files = args.positionals.length ? filesFromPaths(args.positionals, cwd, configs, folders) : filesFromMigrationsDir(configs.forCwd(), cwd, folders);
  const cache = cacheFor(args, out);
  const report: LintReport = { findings: [...folders], fileCount: files.length };
  const loose = args.positionals.length
    ? files.filter((path) => !folderLayout(migrationFolder(path, configs.forFile(path).config.layout), configs.forFile(path).config.layout))
    : [];
  if (loose.length) {
    const shown = loose.map((p) => displayPath(p, cwd));
    out.stderr(
      `tidemark: note: ${shown.length === 1 ? `${shown[0]} is` : `${shown.length} files are`} in no migration folder${shown.length > 1 ? ` (${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ', ...' : ''})` : ''}: linted as one up section${shown.length > 1 ? ' each' : ''}\n`,
    );
  }
  // Each file's findings from the per-file cache, or its place among the files to lint.
  const toLint: FileToLint[] = [];
  const plan = files.map((path) => {
    const config = configs.forFile(path).config;
    const key = cache?.keyOf(path, config.lint?.rules, environmentNames(config), { idempotency: config.lint?.idempotency, rollbacks: config.lint?.rollbacks });
    const cached = key === undefined ? undefined : cache!.findings.get(path, key);
    if (!cached) toLint.push({ path, config });
    return { path, key, cached };
  });
  const { results, stopped } = await lintFiles(toLint, cwd, heap);
  let next = 0;
  for (const { path, key, cached } of plan) {
    const shown = displayPath(path, cwd);
    if (cached) {
      for (const finding of cached) report.findings.push({ ...finding, file: shown });
      continue;
    }
    if (next === stopped?.at) throw stopped.error;
    const { findings: located, ruleErrors } = results[next++];
    for (const line of ruleErrors) out.stderr(line);
    report.findings.push(...located);
    // A rule that failed is reported again next run rather than its missing findings kept.
    if (key !== undefined && ruleErrors.length === 0)
      cache!.findings.set(
        path,
        key,
        located.map(({ file: _file, ...rest }) => rest),
      );
  }
  // The run is recorded only when every file came from the per-file cache (see runInputs).
  const linted = toLint.length;
  cache?.findings.save();

  const replay = args.flags.get('replay') ? await runReplay(cwd, configs, args.positionals.length ? files : undefined, out) : undefined;
  if (replay) report.findings.push(...replay.findings);

  switch (args.common.format) {
    case 'json':
      for (const chunk of jsonChunks(report)) out.stdout(chunk);
      break;
    case 'sarif':
      out.stdout(formatSarif(report, replay?.rules ?? allRules, DEFAULT_DOCS_BASE, packageVersion()));
      break;
    default:
      out.stdout(formatText(report));
  }
  const exitCode = report.findings.some((f) => f.severity === 'error') ? 1 : 0;
  if (cache && tee && recordKey && linted === 0) {
    recordRun(lintCacheDir(args), recordKey, { stdout: tee.stdoutText, stderr: tee.stderrText, exitCode }, runInputs(cwd, args, configs, files, cache.findings.file), startedAt);
  }
  return exitCode;
}

/**
 * The findings of `files`, in their order: on the command's thread alone, or, when there are
 * enough to pay for starting threads, over lint threads too (lint-threads.ts). `stopped`: the
 * first file whose lint threw, where the results end (the files after it may not be linted).
 */
async function lintFiles(files: readonly FileToLint[], cwd: string, heap: { check(): void }): Promise<{ results: LintedFile[]; stopped?: { at: number; error: unknown } }> {
  const allowed = threadsToUse();
  const script = lintThreadScript();
  const starts = script ? planRanges(files.length, allowed) : [0];
  const own = starts[starts.length - 1];
  const threads = own > 0 && script ? new LintThreads(files, starts, cwd, script) : undefined;
  try {
    const results: LintedFile[] = [];
    let stopped: { at: number; error: unknown } | undefined;
    for (let at = own; at < files.length; at++) {
      heap.check();
      try {
        results.push(await lintMigrationFile(files[at].path, files[at].config, cwd));
      } catch (error) {
        stopped = { at, error };
        break;
      }
    }
    if (!threads) return { results, stopped };
    // The threads' ranges come first: a file of theirs that stopped them stops the run before any of ours.
    const before = await threads.results();
    if (before.stopped) return before;
    return { results: [...before.results, ...results], stopped };
  } finally {
    threads?.dispose();
  }
}

/** The young generation a run grows V8's to (both semi-spaces), and no further. */
const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;
/** How much V8 lets the old generation grow past what survived its last full collection, in percent. */
const OLD_GENERATION_GROWTH_PERCENT = 50;

/**
 * V8 for a run over many files (flags set here, for the lint command only).
 *
 * The young generation gets YOUNG_GENERATION_BYTES. A run allocates about 130 KB per file, most
 * of it dead once the file's migration is linted (its trees, rule results), some of it kept a few
 * migrations longer (parse.ts's and unit.ts's caches, the rules' runs). Kept at its first size
 * (2 MB) a collection came every few files and moved that to the old generation: 230 collections
 * promoted 64 MB linting 1,600 migrations. Left to grow it reached 32 MB while the folder was
 * read, a heap of 78 MB. At 8 MB: 134 collections, 57 MB promoted. V8 grows the generation by a
 * factor when enough of it survives a collection (`--semi-space-growth-factor`): 1 (no growth)
 * from the start, 2 during the lint until the generation has the size.
 *
 * The old generation may grow by OLD_GENERATION_GROWTH_PERCENT past what survived its last full
 * collection (`--heap-growing-percent`; V8 chose about 300% here). What a run keeps is small (20 MB
 * at 1,600 migrations: texts, the earlier migrations' catalogs, the findings); the rest is garbage
 * promoted young, collected concurrently on the other core: 6 full collections instead of 3, a
 * heap of 39 MB at most instead of 52 (peak RSS 106 MB instead of 125).
 *
 * And no optimising compiler (`--no-turbofan`): a run is a few seconds of many small functions
 * each called a few thousand times, which TurboFan compiled on a background thread for about as
 * much CPU as the lint itself took on its thread (1.4 s of 2.8 s at 1,600 migrations). Without it
 * the thread runs interpreted and Sparkplug code and takes longer (1.8 s instead of 1.4 s), but the
 * process spends 2.1 s of CPU instead of 2.8 s, ends sooner on a busy machine, and peaks 15 MB
 * lower. A 5,000-statement file lints as fast either way.
 *
 * All restored before the process ends: the lint bundle's code cache (cli/compile-cache.ts) is
 * made and checked under V8's defaults.
 */
function v8OfRun(): { check(): void; restore(): void } {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  setFlagsFromString('--no-turbofan');
  let growing = false;
  let grown = false;
  const check = () => {
    if (grown) return;
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (!young) return;
    grown = young.space_size >= YOUNG_GENERATION_BYTES;
    if (grown || !growing) setFlagsFromString(grown ? '--semi-space-growth-factor=1' : '--semi-space-growth-factor=2');
    growing = !grown;
  };
  return {
    check,
    restore: () => {
      setFlagsFromString('--semi-space-growth-factor=2');
      setFlagsFromString('--heap-growing-percent=0');
      setFlagsFromString('--turbofan');
    },
  };
}

/** Passes output through and keeps a copy, for the run record. */
class TeeOutput implements Output {
  stdoutText = '';
  stderrText = '';

  constructor(private readonly out: Output) {}

  stdout(text: string | Uint8Array): void {
    this.stdoutText += typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
    this.out.stdout(text);
  }

  stderr(text: string): void {
    this.stderrText += text;
    this.out.stderr(text);
  }
}

/**
 * Everything a lint run's output depends on, for its run record: the code (the bundles and
 * package.json), the per-file cache it was answered from, every tidemark.json that was or could
 * have been found (--config, else each one looked for from the working folder and from each
 * linted file's folder up to the root), and the folders that hold the linted files and their
 * migrations (their listings and every file in them and in their part folders). Recorded only
 * from a run that linted nothing itself, so the per-file keys already proved these inputs
 * complete: a record never holds output computed from files it did not watch.
 */
function runInputs(cwd: string, args: ParsedArgs, configs: ProjectConfigs, linted: readonly string[], cacheFile: string): RunInputs {
  const files = new Set<string>([PACKAGE_JSON, __filename, cacheFile]);
  if (require.main?.filename) files.add(require.main.filename);
  const folders = new Set<string>();
  if (args.common.config) files.add(resolve(cwd, args.common.config));
  else for (const dir of new Set([cwd, ...linted.map((path) => dirname(path))])) for (const candidate of configFileCandidates(dir)) files.add(candidate);
  if (args.positionals.length) for (const given of args.positionals) (isDirectory(resolve(cwd, given)) ? folders : files).add(resolve(cwd, given));
  else folders.add(configs.forCwd().migrationsDir);
  for (const path of linted) folders.add(migrationFolder(path));
  return { files: [...files], folders: [...folders] };
}

type CachedFinding = Omit<LocatedFinding, 'file'>;

/** --cache: the cache and how to key a file's findings, or undefined without the flag. */
function cacheFor(args: ParsedArgs, out: Output) {
  if (!args.flags.get('cache')) {
    if (args.flags.get('cache-location') !== undefined) throw new UsageError('--cache-location needs --cache');
    return undefined;
  }
  const findings = new LintCache<CachedFinding>(lintCacheDir(args), (message) => out.stderr(`tidemark: warning: ${message}\n`));
  const tool = toolFingerprint(packageVersion(), __filename);
  const disk = new DiskSnapshot();
  const readsEarlier = (severities: Record<string, SeveritySetting> | undefined) => allRules.some((rule) => rule.readsEarlierMigrations && severities?.[rule.id] !== 'off');
  return {
    findings,
    // unknown-environment reads the config's environment names, so they are part of the key too.
    keyOf: (path: string, severities: Record<string, SeveritySetting> | undefined, environments: string[] | undefined, policy: ExecutionPolicy) =>
      lintInputsKey(
        path,
        {
          settings: `${tool}\n${DEFAULT_DOCS_BASE}\n${JSON.stringify(severities ?? {})}\n${JSON.stringify(environments ?? [])}\n${JSON.stringify(policy)}`,
          readsEarlierMigrations: readsEarlier(severities),
        },
        disk,
      ),
  };
}

/**
 * `--replay`: the check command's replay, from its own bundle (dist/cli-check.js, see esbuild.mjs)
 * so a plain `tidemark lint` never loads PGlite. Its errors are that bundle's classes: re-thrown
 * as this bundle's CliError so main.ts prints them as one line.
 */
async function runReplay(cwd: string, configs: ProjectConfigs, files: string[] | undefined, out: Output) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the check bundle, loaded only for --replay
  const check = require('../check-commands') as typeof import('../check-commands');
  try {
    return { findings: await check.replayFindings(cwd, configs, files, out), rules: check.lintAndReplayRules };
  } catch (error) {
    if (error instanceof check.CliError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
}
