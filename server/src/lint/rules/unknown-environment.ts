import { environmentsDirective } from '../../migrations/sections';
import type { Rule } from '../types';

/**
 * `-- tidemark:environments` naming an environment tidemark.json does not declare: a typo there
 * means the migration silently never runs where it was meant to.
 */
const rule: Rule = {
  id: 'unknown-environment',
  defaultSeverity: 'error',
  summary: '-- tidemark:environments names an environment that tidemark.json does not declare.',
  lint(unit, report) {
    const known = unit.environmentNames;
    const section = unit.up;
    // Reported on the up section: the engine keeps the findings in the up file's lint only.
    if (!known || !section) return;
    // The directive may sit in the header above `-- migrate:up` as well as inside the up section.
    const directive = environmentsDirective(section.file.text.slice(0, section.offset + section.text.length));
    for (const { name, offset } of directive?.names ?? []) {
      if (known.includes(name)) continue;
      report({
        section,
        start: offset,
        end: offset + name.length,
        message: `-- tidemark:environments names "${name}", which is not an environment in tidemark.json (known: ${known.join(', ')}); the migration would never run there`,
      });
    }
  },
};
export default rule;
