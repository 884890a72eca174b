import type { Rule } from '../types';
import { reportProblems } from '../layout-problems';

/**
 * The file breaks its migration tool's own rules (a goose file without `-- +goose Up`, an
 * unclosed StatementBegin) or carries another tool's markers (a `-- +goose Down` in a dbmate
 * folder): its tool would refuse it, or it would run as something else than written.
 */
const rule: Rule = {
  id: 'migration-layout',
  defaultSeverity: 'error',
  summary: "The file breaks its migration tool's rules, or carries another tool's markers.",
  lint: (unit, report) => reportProblems(unit, ['layout-error', 'foreign-marker'], report),
};
export default rule;
