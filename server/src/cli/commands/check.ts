/**
 * `tidemark check [paths...]`: the replay check (server/src/replay) for CI, with lint's output
 * contract. Without paths, every migration under migrationsDir; with paths, the migrations those
 * files and folders belong to.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CliCommand, Output } from '../command';
import { CliError } from '../command';
import type { LoadedConfig } from '../../migrations/config';
import { allRules } from '../../lint/rules';
import { DEFAULT_DOCS_BASE } from '../../lint/engine';
import { replayProjectOnWorker, ReplayInputError } from '../../replay/project';
import { SourceFile } from '../../sql/source';
import { readTextFile } from '../../migrations/text-file';
import { ShadowSetupError } from '../../replay/shadow';
import { replayRules } from '../../findings/replay-rules';
import { displayPath, locateFinding, type LintReport, type LocatedFinding } from '../format/located';
import { formatText } from '../format/text';
import { formatJson } from '../format/json';
import { formatSarif } from '../format/sarif';
import { filesFromMigrationsDir, filesFromPaths, isDirectory, ProjectConfigs } from '../project-input';
import { packageVersion } from '../package-version';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'check',
  summary: COMMAND_SUMMARIES.check,
  usage: [
    'Usage: tidemark check [paths...] [--format text|json|sarif] [--cwd DIR] [--config FILE]',
    '',
    'Runs each migration (up, verify, up again, down, down again) on a throwaway in-memory',
    'PostgreSQL (PGlite) holding the schema of the migrations before it. Never touches a database.',
    'Without paths, checks every migration under migrationsDir.',
    'Exit status: 0 no errors, 1 a finding with severity error, 2 bad input (config, paths).',
  ].join('\n'),
  flags: {},
  async run(args, out) {
    const cwd = resolve(args.common.cwd);
    if (!isDirectory(cwd)) throw new CliError(`--cwd: no such folder: ${cwd}`);
    const configs = new ProjectConfigs(cwd, args.common.config, out);
    const files = args.positionals.length ? filesFromPaths(args.positionals, cwd) : undefined;
    const findings = await replayFindings(cwd, configs, files, out);
    const report: LintReport = { findings, fileCount: files?.length ?? filesFromMigrationsDir(configs.forCwd(), cwd).length };
    switch (args.common.format) {
      case 'json':
        out.stdout(formatJson(report));
        break;
      case 'sarif':
        out.stdout(formatSarif(report, replayRules, DEFAULT_DOCS_BASE, packageVersion()));
        break;
      default:
        out.stdout(formatText(report));
    }
    return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
export default command;

/** The rules a report of lint and check together lists (SARIF's tool.driver.rules). */
export const lintAndReplayRules = [...allRules, ...replayRules];

/**
 * Replays the migrations of `files` (every migration of the working folder's project when
 * undefined), grouped by the project each file belongs to. Notes on what the shadow did
 * differently from a server go to stderr.
 */
export async function replayFindings(cwd: string, configs: ProjectConfigs, files: readonly string[] | undefined, out: Output): Promise<LocatedFinding[]> {
  const projects = new Map<string, { loaded: LoadedConfig; files: string[] }>();
  if (files) {
    for (const file of files) {
      const loaded = configs.forFile(file);
      const key = loaded.path ?? dirname(file);
      const entry = projects.get(key) ?? { loaded, files: [] };
      entry.files.push(resolve(file));
      projects.set(key, entry);
    }
  }
  const located: LocatedFinding[] = [];
  const runs = files ? [...projects.values()] : [{ loaded: configs.forCwd(), files: undefined }];
  for (const { loaded, files: chosen } of runs) {
    if (!files) filesFromMigrationsDir(loaded, cwd); // the same clear error as lint for a missing folder
    try {
      await replayProjectOnWorker(loaded, chosen, {
        workerDir: replayWorkerDir(),
        severities: loaded.config.lint?.rules,
        docsBase: DEFAULT_DOCS_BASE,
        onResult: (result) => {
          for (const note of result.notes) out.stderr(`tidemark: note: ${note}\n`);
          for (const { path, ...finding } of result.findings) {
            const file = new SourceFile(path, readTextFile(path));
            located.push(locateFinding({ ...finding, fixes: [] }, file, displayPath(path, cwd)));
          }
        },
      });
    } catch (error) {
      if (error instanceof ReplayInputError || error instanceof ShadowSetupError) throw new CliError(error.message);
      // A failure on the worker thread arrives as its stack; the first line says what went wrong.
      if (error instanceof Error && /^the replay worker|^\w*Error: /.test(error.message)) throw new CliError(`the replay check failed: ${error.message.split('\n')[0]}`);
      throw error;
    }
  }
  return located;
}

/** Where replay-worker.js is: beside the bundle (dist/), or compiled under out/server/src/replay. */
function replayWorkerDir(): string {
  return existsSync(join(__dirname, 'replay-worker.js')) ? __dirname : join(__dirname, '..', '..', 'replay');
}
