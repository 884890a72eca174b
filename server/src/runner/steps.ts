/**
 * The one loop apply, rollback and verify share: for each migration in turn, stop when the user
 * cancelled (the migration is reported as skipped), report progress, run it, and stop at the
 * first failure unless the operation goes on past failures (verify reports each).
 */
import type { RunReport, StatementFailure } from '../protocol';
import type { RunOptions } from './session';

export type Step = RunReport['steps'][number];

/** What running one migration produced: its steps (apply may add a verify step) and whether to go on. */
export interface StepOutcome {
  steps: Step[];
  failure?: StatementFailure;
  /** Stop the loop after this migration (it failed or was cancelled). */
  stop: boolean;
}

export interface StepLoop<T> {
  action: Step['action'];
  /** "applying", "rolling back", "verifying": the progress message's verb. */
  verb: string;
  /** The version and name a migration is reported under. */
  label(item: T): { version: string; name: string };
  run(item: T): Promise<StepOutcome>;
}

export interface StepsDone {
  steps: Step[];
  /** The first statement that failed, with its place in the file. */
  failure?: StatementFailure;
  /** The loop ended before the last migration: a failure or a cancellation. */
  stopped: boolean;
}

export async function runSteps<T>(items: readonly T[], options: Pick<RunOptions, 'isCancelled' | 'progress'>, loop: StepLoop<T>): Promise<StepsDone> {
  const steps: Step[] = [];
  let failure: StatementFailure | undefined;
  for (const [i, item] of items.entries()) {
    const { version, name } = loop.label(item);
    if (options.isCancelled?.()) {
      steps.push({ version, name, action: loop.action, outcome: 'skipped', durationMs: 0, message: 'cancelled' });
      return { steps, failure, stopped: true };
    }
    options.progress?.(`${loop.verb} ${version} ${name}`, Math.round((i / items.length) * 100));
    const outcome = await loop.run(item);
    steps.push(...outcome.steps);
    failure ??= outcome.failure;
    if (outcome.stop) return { steps, failure, stopped: true };
  }
  return { steps, failure, stopped: false };
}
