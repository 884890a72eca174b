import type { Rule } from '../types';

/** The parser's own message at its exact position; only this statement is affected. */
const rule: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  summary: 'A statement PostgreSQL cannot parse.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down, unit.verify, unit.precheck]) {
      for (const statement of section?.statements ?? []) {
        const error = statement.syntaxError;
        if (!error) continue;
        // Underline the token the parser stopped at, not the whole statement.
        const rest = section!.file.text.slice(error.offset, statement.end);
        const token = /^(\s*)(\S+)/.exec(rest);
        const start = token ? error.offset + token[1].length : error.offset;
        const end = token ? start + Math.min(token[2].length, 40) : Math.max(start + 1, statement.end);
        report({ section: section!, statement, start, end, message: error.message });
      }
    }
  },
};
export default rule;
