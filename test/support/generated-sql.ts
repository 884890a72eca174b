/**
 * Lints SQL as an ORM generated it (execution.generatedBy, which the Prisma and Drizzle layout
 * readers set), through the real unit builder and engine.
 */
import { buildLintUnit } from '../../server/src/lint/unit';
import { lintUnit } from '../../server/src/lint/engine';
import { rulesById } from '../../server/src/lint/rules';
import type { Finding } from '../../server/src/lint/types';
import type { MigrationExecution } from '../../server/src/migrations/types';

export function lintGenerated(sql: string, rule: string, generatedBy: MigrationExecution['generatedBy']): Finding[] {
  const unit = buildLintUnit('/nowhere/migration.sql', sql);
  return lintUnit({ ...unit, execution: { ...unit.execution, generatedBy, downsByDesign: false } }, { rules: [rulesById.get(rule)!] });
}
