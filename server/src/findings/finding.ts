/**
 * What lint and the replay check both report, and the contract every front end renders: a
 * finding with a rule id, a severity (set per rule in `lint.rules` of tidemark.json), a message,
 * a range, fixes and the docs page of its rule. lint/ and replay/ both sit on this folder.
 */
import type { SeveritySetting } from '../migrations/config';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A replacement of [start, end) in a file's text (offsets), or an insertion when start === end. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * A mechanical fix, kept on the finding so that code actions and tests only read it (as squawk
 * keeps fixes on the diagnostic). Rules may hand it over as a function: it then runs the first
 * time somebody reads the finding's fixes, which a CLI run never does.
 */
export interface Fix {
  title: string;
  /** Edits in the linted file. */
  edits: TextEdit[];
  /** Whole new files, e.g. a generated `NAME.down.sql`. */
  createFiles?: Array<{ path: string; text: string }>;
  /** Edits in other existing files (absolute path → edits), e.g. appending to a rollback file. */
  otherFileEdits?: Array<{ path: string; edits: TextEdit[] }>;
  /** The fix an editor applies on "auto fix". */
  preferred?: boolean;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** Absolute offsets in the linted file. */
  start: number;
  end: number;
  /** Computed on first read (see RuleReport.fixes), then kept. */
  readonly fixes: Fix[];
  /** The docs page of the rule. */
  docs: string;
}

/** Each finding links to `${docsBase}${rule}.md`. */
export const DEFAULT_DOCS_BASE = 'https://github.com/tidemark-dev/tidemark/blob/main/docs/rules/';

/** The severity a rule's findings get under the settings (`lint.rules`, the editor's), or undefined when they turn it off. */
export function configuredSeverity(settings: Readonly<Record<string, SeveritySetting>> | undefined, rule: { id: string; defaultSeverity: Severity }): Severity | undefined {
  const setting = settings?.[rule.id];
  return setting === 'off' ? undefined : (setting ?? rule.defaultSeverity);
}
