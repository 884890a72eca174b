import type { FlagSpec, ParsedArgs } from './args';

/** What a command writes; injected so tests can run commands in-process. */
export interface Output {
  /** Bytes only from a replayed `lint --cache` run (lint-options.ts), which keeps them as written. */
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
}

export interface CliCommand {
  name: string;
  /** One line for `tidemark --help`. */
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Returns the exit code. Throwing a CliError prints its message as one line and exits 2. */
  run(args: ParsedArgs, out: Output): Promise<number>;
}

/** A failure the user can fix (bad config, unknown environment, unreachable server). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
