/**
 * One migration file linted as `tidemark lint` lints it, on whichever thread runs it: the command's
 * own (commands/lint.ts) or a lint thread (lint-threads.ts). Both call this with the same file, config
 * and working folder, so a file's findings and warnings do not depend on where it was linted.
 */
import { relative } from 'node:path';
import { CliError } from './command';
import { environmentNames, type TidemarkConfig } from '../migrations/config';
import { FileEncodingError, readTextFile } from '../migrations/text-file';
import { keepSpareParsers, parseAgainWhenRecovered } from '../sql/parse';
import { buildLintUnit, keepFewerParsedSections } from '../lint/unit';
import { DEFAULT_DOCS_BASE, lintUnit } from '../lint/engine';
import { displayPath, locateFinding, type LocatedFinding } from './format/located';
import { limitTextCaches } from '../sql/text-cache';
import { limitTokenCache } from '../sql/tokens';

/** The statement texts whose trees and tokens a lint run keeps: those of the last few files. */
const TEXT_CACHE_CHARS = 32 * 1024;
/** The parsed sections it keeps: a migration's up and down, while its two files and the next migration's earlier context read them. */
const PARSED_SECTIONS = 8;

/**
 * The caches of a thread that lints many files once each. A run reads each statement about once (a
 * file's up and down units share one parse, parse.ts's section cache): the caches an editor needs
 * for re-lints on every keystroke only fill memory.
 */
export function keepCachesOfRun(): void {
  limitTextCaches(TEXT_CACHE_CHARS);
  limitTokenCache(0);
  keepSpareParsers(0);
  keepFewerParsedSections(PARSED_SECTIONS);
}

export interface LintedFile {
  findings: LocatedFinding[];
  /** Lines for stderr: rules that failed on the file (its findings are then not cached). */
  ruleErrors: string[];
}

/**
 * The findings of the file `path` with `config`, located for output relative to `cwd`. A file
 * that cannot be read or is not UTF-8 (nor a down or verify file read with it) throws a CliError.
 */
export async function lintMigrationFile(path: string, config: TidemarkConfig, cwd: string): Promise<LintedFile> {
  const shown = displayPath(path, cwd);
  // The parser is loaded on the first file linted: a fully cached run never starts it.
  const text = readText(path, cwd);
  const { unit, findings, ruleErrors } = await parseAgainWhenRecovered(() => {
    const unit = notUtf8AsCliError(cwd, () => buildLintUnit(path, text, undefined, { layout: config.layout }));
    const ruleErrors: string[] = [];
    const findings = lintUnit(unit, {
      severities: config.lint?.rules,
      environments: environmentNames(config),
      policy: { idempotency: config.lint?.idempotency, rollbacks: config.lint?.rollbacks },
      docsBase: DEFAULT_DOCS_BASE,
      onRuleError: (rule, error) =>
        ruleErrors.push(`tidemark: warning: rule ${rule} failed on ${relative(cwd, path)}: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    return { unit, findings, ruleErrors };
  });
  return { findings: findings.map((finding) => locateFinding(finding, unit.file, shown)), ruleErrors };
}

function readText(path: string, cwd: string): string {
  try {
    return notUtf8AsCliError(cwd, () => readTextFile(path));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${relative(cwd, path)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** A linted file, or a down or verify file read with it, that is not UTF-8 stops the run (exit 2) naming where. */
function notUtf8AsCliError<T>(cwd: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FileEncodingError) throw new CliError(error.relativeTo(cwd));
    throw error;
  }
}
