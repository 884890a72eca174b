/**
 * Every lint rule, one file each. Adding a rule: write rules/ID.ts, docs/rules/ID.md and
 * test/unit/rules/ID.test.ts, then list it here.
 */
import type { Rule } from '../types';
import syntaxError from './syntax-error';
import duplicateVersion from './duplicate-version';
import banDropColumn from './ban-drop-column';

export const allRules: readonly Rule[] = [syntaxError, duplicateVersion, banDropColumn];

export const rulesById: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.id, r]));
