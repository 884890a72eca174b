/**
 * Checks the rule ids named in `lint.rules` of tidemark.json. zod only knows the ids are strings;
 * a misspelt id would silently leave the rule on, so both the editor and the CLI report it.
 */
import { findNodeAtLocation } from 'jsonc-parser';
import { configTree, type ConfigProblem } from '../migrations/config';
import { rulesById } from './rules';
import { replayRules } from '../findings/replay-rules';

/** Lint rules and the replay check's rule ids: `lint.rules` sets the severity of both. */
const knownRuleIds: ReadonlyMap<string, unknown> = new Map<string, unknown>([...rulesById, ...replayRules.map((r) => [r.id, r] as const)]);

export function unknownRuleProblems(configText: string, known: ReadonlyMap<string, unknown> = knownRuleIds): ConfigProblem[] {
  const tree = configTree(configText);
  const rules = tree && findNodeAtLocation(tree, ['lint', 'rules']);
  if (rules?.type !== 'object') return [];
  const problems: ConfigProblem[] = [];
  for (const property of rules.children ?? []) {
    const key = property.children?.[0];
    if (!key || typeof key.value !== 'string' || known.has(key.value)) continue;
    const suggestion = closest(key.value, [...known.keys()]);
    problems.push({
      field: `lint.rules.${key.value}`,
      message: `unknown rule "${key.value}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      start: key.offset,
      end: key.offset + key.length,
    });
  }
  return problems;
}

/** The known id within a small edit distance of `id`, for a "did you mean". */
function closest(id: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(id.length / 4)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(id, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
