/**
 * Every lint rule, one file each. Adding a rule: write rules/ID.ts, docs/rules/ID.md and
 * test/unit/rules/ID.test.ts, then list it here.
 */
import type { Rule } from '../types';
import syntaxError from './syntax-error';
import statementTooComplex from './statement-too-complex';
import duplicateVersion from './duplicate-version';
import banDropColumn from './ban-drop-column';
import banDropTable from './ban-drop-table';
import renamingColumn from './renaming-column';
import renamingTable from './renaming-table';
import changingColumnType from './changing-column-type';
import addingNotNullableField from './adding-not-nullable-field';
import addingRequiredField from './adding-required-field';
import constraintMissingNotValid from './constraint-missing-not-valid';
import disallowedUniqueConstraint from './disallowed-unique-constraint';
import requireConcurrentIndexCreation from './require-concurrent-index-creation';
import requireConcurrentIndexDeletion from './require-concurrent-index-deletion';
import banCascade from './ban-cascade';
import unbatchedBackfill from './unbatched-backfill';
import requireLockTimeout from './require-lock-timeout';
import requireRollback from './require-rollback';
import rollbackIncomplete from './rollback-incomplete';
import preferTimestamptz from './prefer-timestamptz';
import preferTextField from './prefer-text-field';
import preferBigintOverInt from './prefer-bigint-over-int';
import preferIdentity from './prefer-identity';
import nonIdempotentDdl from './non-idempotent-ddl';
import transactionIncompatibleStatement from './transaction-incompatible-statement';
import transactionNesting from './transaction-nesting';
import fkMissingIndex from './fk-missing-index';
import rlsEnabledWithoutPolicy from './rls-enabled-without-policy';
import permissivePolicy from './permissive-policy';
import securityDefinerSearchPath from './security-definer-search-path';
import policySettingMissingOk from './policy-setting-missing-ok';
import unknownEnvironment from './unknown-environment';
import unusedIgnore from './unused-ignore';
import addingVolatileDefault from './adding-volatile-default';
import addingStoredGeneratedColumn from './adding-stored-generated-column';
import requireConcurrentReindex from './require-concurrent-reindex';
import migrationLayout from './migration-layout';
import emptyMigration from './empty-migration';
import notInChain from './not-in-chain';
import unsubstitutedVariable from './unsubstituted-variable';

export const allRules: readonly Rule[] = [
  syntaxError,
  statementTooComplex,
  duplicateVersion,
  banDropColumn,
  banDropTable,
  renamingColumn,
  renamingTable,
  changingColumnType,
  addingNotNullableField,
  addingRequiredField,
  constraintMissingNotValid,
  disallowedUniqueConstraint,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentReindex,
  addingVolatileDefault,
  addingStoredGeneratedColumn,
  banCascade,
  unbatchedBackfill,
  requireLockTimeout,
  requireRollback,
  rollbackIncomplete,
  preferTimestamptz,
  preferTextField,
  preferBigintOverInt,
  preferIdentity,
  nonIdempotentDdl,
  transactionIncompatibleStatement,
  transactionNesting,
  fkMissingIndex,
  rlsEnabledWithoutPolicy,
  permissivePolicy,
  securityDefinerSearchPath,
  policySettingMissingOk,
  unknownEnvironment,
  unusedIgnore,
  migrationLayout,
  emptyMigration,
  notInChain,
  unsubstitutedVariable,
];

export const rulesById: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.id, r]));
