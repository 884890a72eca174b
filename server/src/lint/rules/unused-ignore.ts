import type { Fix, ParsedSection, Rule, RuleReport } from '../types';
import { suppressionDirectives, type SuppressionDirective } from '../suppressions';

/**
 * A `-- tidemark-ignore` comment that suppresses nothing hides the next finding of its rule
 * there, which nobody has reviewed: the statement it was written for has changed, the rule no
 * longer reports it, or the comment never applied (a misspelt rule id, or no statement right after
 * it). ESLint reports unused disable directives for the same reason. The engine records what each
 * comment suppressed in the run; this rule reads that after every other rule ran.
 */
const rule: Rule = {
  id: 'unused-ignore',
  defaultSeverity: 'warning',
  summary: 'A -- tidemark-ignore comment that suppresses nothing: a misspelt rule, no statement under it, or a finding that is gone.',
  lint() {
    // Nothing to decide from the parse tree alone: see lintSuppressions.
  },
  lintSuppressions(unit, use, report) {
    const section = [unit.up, unit.down, unit.verify, unit.precheck].find((s): s is ParsedSection => !!s && s.file.path === unit.file.path);
    if (!section) return;
    const text = unit.file.text;
    const whole = (d: SuppressionDirective, message: string) => report({ section, start: d.start, end: d.end, message, fixes: [removeLine(text, d)] });
    for (const d of suppressionDirectives(unit)) {
      if (d.kind === 'statement' && !d.statement) {
        whole(
          d,
          'This -- tidemark-ignore applies to no statement: it must be among the comments right above the statement it suppresses (above the DO block for a statement inside one).',
        );
        continue;
      }
      const where = d.kind === 'file' ? 'in this file' : 'for the statement below it';
      if (d.rules.length === 0) {
        if (!use.suppressed(d, '*'))
          whole(d, `This ${d.kind === 'file' ? '-- tidemark-ignore-file' : '-- tidemark-ignore'} suppresses nothing: no rule reports anything ${where}.`);
        continue;
      }
      for (const listed of d.rules) {
        const fix = d.rules.length === 1 ? removeLine(text, d) : removeId(d, listed);
        const reportId = (message: string) => report({ section, start: listed.start, end: listed.end, message, fixes: [fix] } satisfies RuleReport);
        if (!use.isRuleId(listed.id)) reportId(`"${listed.id}" is not a rule id, so this comment suppresses nothing for it; rule ids are listed in docs/rules.`);
        // A rule turned off, or the replay check's (its findings come from another run), cannot be judged here.
        else if (use.hasRun(listed.id) && !use.suppressed(d, listed.id))
          reportId(`${listed.id} reports nothing ${where}: this suppression is unused; remove it so that a new finding is not hidden.`);
      }
    }
  },
};

/** Removes the comment's line. */
function removeLine(text: string, d: SuppressionDirective): Fix {
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1;
  const lineEnd = text.indexOf('\n', d.end);
  return { title: 'Remove the unused suppression', edits: [{ start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1, newText: '' }] };
}

/** Removes one rule id from the comment's list, with the separator after it (or before it, for the last). */
function removeId(d: SuppressionDirective, listed: SuppressionDirective['rules'][number]): Fix {
  const last = listed === d.rules[d.rules.length - 1];
  const start = last ? d.rules[d.rules.length - 2].end : listed.start;
  const end = last ? listed.end : d.rules[d.rules.indexOf(listed) + 1].start;
  return { title: `Remove ${listed.id} from the suppression`, edits: [{ start, end, newText: '' }] };
}

export default rule;
