/**
 * What the runner commands (status, apply, verify, rollback, plan, new) share: opening the project
 * from --cwd/--config, turning the runner's input errors into one stderr line with exit code 2,
 * and printing run reports as text or JSON.
 */
import { relative } from 'node:path';
import type { RunReport, StatementFailure } from '../protocol';
import { RunnerInputError, loadProject, type Project } from '../database/environments';
import { ServerError } from '../database/adapter';
import { UsageError, type FlagSpec, type ParsedArgs } from './args';
import { CliError, type CliCommand, type Output } from './command';
import type { RunOptions } from '../runner/session';
import { prepareBackup } from '../backup/backup';
import { formatBytes } from '../runner/backup-hook';
import { discoverMigrations, lenientDiskReader } from '../migrations/discovery';
import { folderProblems } from '../migrations/layouts';

export function openProject(args: ParsedArgs): Project {
  return asCliErrors(() => loadProject(args.common.cwd, args.common.config));
}

/** Runs an engine call; input problems (bad config, unknown env, unreachable server) become CliErrors. */
export function asCliErrors<T>(work: () => T): T {
  try {
    const result = work();
    if (result instanceof Promise) return result.catch(rethrow) as T;
    return result;
  } catch (error) {
    return rethrow(error);
  }
}

function rethrow(error: unknown): never {
  if (error instanceof RunnerInputError) throw new CliError(error.message);
  if (error instanceof ServerError) throw new CliError(`the server refused: ${error.message}`);
  throw error;
}

/**
 * What the migrations folder holds that no migration run will touch — a FIFO or a dangling link
 * named like a migration, an orphan down file, a Drizzle file the journal does not list — one
 * warning line each on stderr, so that skipping them is never silent.
 */
export function warnAboutFolder(project: Project, out: Output): void {
  let result;
  try {
    result = discoverMigrations(project.migrationsDir, lenientDiskReader, { layout: project.layout });
  } catch {
    return; // the command itself reports what is wrong with the folder
  }
  const problems = [...folderProblems(result), ...result.problems.filter((p) => p.code === 'not-in-chain' || p.code === 'orphan-file')];
  for (const p of new Set(problems)) if (p.code !== 'duplicate-version') out.stderr(`tidemark: warning: ${relative(project.root, p.path) || p.path}: ${p.message}\n`);
}

export function requireTextOrJson(args: ParsedArgs): 'text' | 'json' {
  if (args.common.format === 'sarif') throw new CliError('--format sarif is only for lint; use text or json');
  if (args.common.format === 'markdown') throw new CliError('--format markdown is only for status; use text or json');
  return args.common.format;
}

export const RUN_FLAGS = { to: 'value', confirm: 'value', 'started-statement': 'value' } as const;

export function failureForJson(project: Project, f: StatementFailure) {
  return { version: f.version, file: relative(project.root, f.file) || f.file, line: f.line + 1, column: f.character + 1, statement: f.statement, message: f.message };
}

/** Prints a run report; exit code 1 when a step failed. */
export function printReport(project: Project, report: RunReport, format: 'text' | 'json', out: Output): number {
  const failed = report.steps.some((s) => s.outcome === 'failed');
  if (format === 'json') {
    const backup = report.backup && { ...report.backup, file: relative(project.root, report.backup.file) || report.backup.file };
    out.stdout(`${JSON.stringify({ ...report, failure: report.failure && failureForJson(project, report.failure), backup }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const lines: string[] = [];
  if (report.backup) {
    const b = report.backup;
    lines.push(`ok   backup   ${relative(project.root, b.file) || b.file} (${formatBytes(b.bytes)}, ${b.tool}, ${b.durationMs} ms)`);
    lines.push(`       restore with: ${b.restoreCommand}`);
  }
  for (const step of report.steps) {
    const mark = step.outcome === 'ok' ? 'ok  ' : step.outcome === 'failed' ? 'FAIL' : 'skip';
    lines.push(`${mark} ${step.action.padEnd(8)} ${step.version} ${step.name} (${step.durationMs} ms)${step.message ? ` — ${step.message}` : ''}`);
    // Locks on relations the plan itself creates block nobody; they stay in the JSON output.
    const locks = step.locks ?? [];
    for (const lock of locks.filter((l) => !l.newRelation)) lines.push(`       ${lock.mode} on ${lock.relation}  ← ${lock.statement}`);
    const onNew = locks.filter((l) => l.newRelation).length;
    if (onNew) lines.push(`       (${onNew} lock${onNew === 1 ? '' : 's'} on relations created by this migration not shown)`);
  }
  if (report.failure) {
    const f = failureForJson(project, report.failure);
    lines.push(`${f.file}:${f.line}:${f.column}: ${f.message}`);
  }
  lines.push(report.summary);
  out.stdout(`${lines.join('\n')}\n`);
  return failed ? 1 : 0;
}

/**
 * A command that moves an environment (apply, verify, rollback, plan): they differ only in the
 * engine call and their help text; options, confirmation, progress and output are the same.
 */
export function runCommand(spec: {
  name: string;
  summary: string;
  /** Help lines after the synopsis. */
  description: string[];
  run: (project: Project, environment: string | undefined, options: RunOptions) => Promise<RunReport>;
  /** Options only this command takes, and what they set. */
  flags?: FlagSpec;
  usage?: string;
  options?: (args: ParsedArgs) => Partial<RunOptions>;
}): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: [
      `tidemark ${spec.name} [--env NAME] [--to VERSION] [--confirm NAME] [--started-statement ran|again]${spec.usage ?? ''} [--format text|json] [--cwd DIR] [--config FILE]`,
      '',
      ...spec.description,
      'Exit code: 0 when every step succeeded, 1 when one failed, 2 for bad input (config, environment, connection).',
    ].join('\n'),
    flags: { ...RUN_FLAGS, ...spec.flags },
    async run(args, out) {
      const format = requireTextOrJson(args);
      const project = openProject(args);
      warnAboutFolder(project, out);
      const report = await asCliErrors(() =>
        spec.run(project, args.common.env, {
          toVersion: args.flags.get('to') as string | undefined,
          confirm: args.flags.get('confirm') as string | undefined,
          startedStatement: startedStatementFlag(args.flags.get('started-statement')),
          progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
          prepareBackup,
          ...spec.options?.(args),
        }),
      );
      return printReport(project, report, format, out);
    },
  };
}

function startedStatementFlag(value: unknown): 'ran' | 'again' | undefined {
  if (value === undefined || value === 'ran' || value === 'again') return value;
  throw new UsageError(`--started-statement must be ran or again, not "${String(value)}"`);
}
