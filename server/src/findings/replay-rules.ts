/**
 * The replay check's rule ids. They are not lint rules (nothing to decide from a parse tree: the
 * shadow database decides), but they share the lint output contract: severities from
 * `lint.rules` in tidemark.json, suppression comments, docs pages and SARIF rule entries.
 */
import type { Severity } from './finding';

export interface ReplayRule {
  id: string;
  defaultSeverity: Severity;
  summary: string;
}

export const REPLAY_ERROR: ReplayRule = {
  id: 'replay-error',
  defaultSeverity: 'error',
  summary: 'A statement fails against the schema the earlier migrations build (proved on a shadow database).',
};
export const REPLAY_VERIFY_FAILED: ReplayRule = {
  id: 'replay-verify-failed',
  defaultSeverity: 'error',
  summary: 'A verify query fails or returns the wrong value right after the up section ran on a shadow database.',
};
export const REPLAY_NOT_IDEMPOTENT: ReplayRule = {
  id: 'replay-not-idempotent',
  defaultSeverity: 'warning',
  summary: 'A statement of the up or down section fails when the section runs a second time (proved on a shadow database).',
};
export const REPLAY_ROLLBACK_MISMATCH: ReplayRule = {
  id: 'replay-rollback-mismatch',
  defaultSeverity: 'error',
  summary: 'After up then down on a shadow database, the schema differs from before the up: the rollback does not restore it.',
};
export const REPLAY_SKIPPED: ReplayRule = {
  id: 'replay-skipped',
  defaultSeverity: 'info',
  summary: 'The migration needs something the shadow database cannot have (an extension, a role, a foreign server), so it was not replayed.',
};
export const REPLAY_TIMEOUT: ReplayRule = {
  id: 'replay-timeout',
  defaultSeverity: 'error',
  summary: 'A statement was still running on the shadow database when the replay of its migration reached check.timeout (an endless loop, a long sleep, a huge generate_series).',
};

export const replayRules: readonly ReplayRule[] = [REPLAY_ERROR, REPLAY_VERIFY_FAILED, REPLAY_NOT_IDEMPOTENT, REPLAY_ROLLBACK_MISMATCH, REPLAY_SKIPPED, REPLAY_TIMEOUT];
