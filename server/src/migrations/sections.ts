/**
 * Sections and directives inside one file: `-- migrate:up|down|verify|check` markers (dbmate-compatible),
 * `-- tidemark:no-transaction`, `-- tidemark:blocked`, `-- tidemark:draft`, `-- tidemark:environments`,
 * `-- tidemark-ignore` and `-- tidemark-ignore-file`.
 */
import type { SectionKind, SoakDirective } from './types';
import { sqlTokens } from '../sql/tokens';

export interface RawSection {
  kind: SectionKind;
  /** Offset of the section body (the line after its marker) in the file. */
  offset: number;
  text: string;
  /** Offset of the marker line itself; undefined for text before any marker. */
  markerOffset?: number;
}

// Lines end at \n, \r\n or a lone \r, as PostgreSQL reads them.
const MARKER = /^[ \t]*--[ \t]*migrate:(up|down|verify|check)\b([^\r\n]*)$/gim;

/**
 * Cuts a file into sections. SQL before the first marker is up (part of the up section when that
 * marker is `-- migrate:up`); comments alone before it are a header, not a section. A file with no
 * marker is all up. `defaultKind` is used for files whose role comes from the name (`x.down.sql`).
 */
export function splitSections(text: string, defaultKind: SectionKind = 'up'): RawSection[] {
  const markers = [...text.matchAll(MARKER)];
  if (markers.length === 0) return [{ kind: defaultKind, offset: 0, text }];
  const sections: RawSection[] = [];
  const first = markers[0].index!;
  const preamble = text.slice(0, first);
  // A header comment above `-- migrate:up` is not a section of its own; SQL above it belongs to
  // that up section. Only before a down/verify marker does the preamble form the up section.
  const firstIsDefault = markers[0][1].toLowerCase() === defaultKind;
  const preambleHasSql = holdsSql(preamble);
  if (preambleHasSql && !firstIsDefault) sections.push({ kind: defaultKind, offset: 0, text: preamble });
  markers.forEach((m, i) => {
    const lineEnd = m.index! + m[0].length;
    const bodyStart = Math.min(text.length, lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : 1));
    const bodyEnd = i + 1 < markers.length ? markers[i + 1].index! : text.length;
    if (i === 0 && firstIsDefault && preambleHasSql) {
      sections.push({ kind: defaultKind, offset: 0, text: text.slice(0, Math.max(bodyStart, bodyEnd)) });
      return;
    }
    sections.push({
      kind: m[1].toLowerCase() as SectionKind,
      offset: bodyStart,
      text: text.slice(bodyStart, Math.max(bodyStart, bodyEnd)),
      markerOffset: m.index!,
    });
  });
  return sections;
}

/**
 * Whether `text` holds anything but whitespace and comments (sqlTokens finds a token in it).
 * Text that starts, after whitespace, with anything but a comment's first character does, and
 * most sections start with SQL: only the others are tokenized.
 */
export function holdsSql(text: string): boolean {
  const first = /[^ \t\n\r\f\v]/.exec(text);
  if (!first) return false;
  return (first[0] !== '-' && first[0] !== '/') || sqlTokens(text).length > 0;
}

/** `-- tidemark:no-transaction`, or dbmate's `-- migrate:up transaction:false`. */
export function hasNoTransactionDirective(text: string): boolean {
  return /^[ \t]*--[ \t]*tidemark:no-transaction\b/im.test(text) || /^[ \t]*--[ \t]*migrate:up\b[^\r\n]*transaction:false/im.test(text);
}

const BLOCKED = /^[ \t]*--[ \t]*tidemark:(blocked|draft)(?![-\w])[ \t]*([^\r\n]*)$/gim;

/** The text mayHoldDirective last looked at, and what it found: a migration's reader asks it of the same text for each directive. */
let lastLooked: { text: string; holds: boolean } | undefined;

/**
 * Whether `text` may hold a `-- tidemark:` directive: each directive's pattern needs the word,
 * which most migrations do not have, so one search for it spares a scan per directive.
 */
function mayHoldDirective(text: string): boolean {
  if (lastLooked?.text !== text) lastLooked = { text, holds: /tidemark:/i.test(text) };
  return lastLooked.holds;
}

/**
 * Why a migration must not run yet: one reason per `-- tidemark:blocked REASON` line (each a
 * prerequisite), "draft" for `-- tidemark:draft`. Empty when nothing blocks it.
 */
export function blockedReasons(text: string): string[] {
  if (!mayHoldDirective(text)) return [];
  return [...text.matchAll(BLOCKED)].map((m) => (m[1].toLowerCase() === 'draft' ? 'draft' : m[2].trim() || 'blocked (no reason given)'));
}

/** One `-- tidemark:environments a, b` line: the names and where each is written in `text`. */
export interface EnvironmentsDirective {
  names: Array<{ name: string; offset: number }>;
}

const ENVIRONMENTS = /^[ \t]*--[ \t]*tidemark:environments(?![-\w])([^\r\n]*)$/gim;

/** The environments a migration is meant for (`-- tidemark:environments production, staging`); undefined when not limited. */
export function environmentsDirective(text: string): EnvironmentsDirective | undefined {
  if (!mayHoldDirective(text)) return undefined;
  const found = [...text.matchAll(ENVIRONMENTS)];
  if (found.length === 0) return undefined;
  const names: EnvironmentsDirective['names'] = [];
  for (const m of found) {
    const listStart = m.index! + m[0].length - m[1].length;
    for (const n of m[1].matchAll(/[^\s,]+/g)) names.push({ name: n[0], offset: listStart + n.index! });
  }
  return { names };
}

const IGNORE = /^--[ \t]*tidemark-ignore(?![-\w])[ \t]*(.*)$/i;
const IGNORE_FILE = /^[ \t]*--[ \t]*tidemark-ignore-file(?![-\w])[ \t]*(.*)$/gim;

function ruleList(text: string): string[] {
  const list = text.split(/[\s,]+/).filter(Boolean);
  return list.length ? list : ['*'];
}

/** Rules suppressed for one statement by `-- tidemark-ignore a, b` in its leading comments. */
export function ignoredRules(leadingComments: string[]): Set<string> {
  const rules = new Set<string>();
  for (const comment of leadingComments) {
    const m = IGNORE.exec(comment);
    if (m) for (const r of ruleList(m[1])) rules.add(r);
  }
  return rules;
}

/** Rules suppressed for a whole file by `-- tidemark-ignore-file a, b` (no list: every rule). */
export function fileIgnoredRules(text: string): Set<string> {
  const rules = new Set<string>();
  for (const m of text.matchAll(IGNORE_FILE)) for (const r of ruleList(m[1])) rules.add(r);
  return rules;
}

const SOAK = /^[ \t]*--[ \t]*tidemark:soak(?![-\w])[ \t]*([^\r\n]*)$/gim;
const SOAK_UNITS: Record<string, number> = { s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A soak time in milliseconds ("48h", "7d", "30min", "90s", "2w"), or undefined when it is not one. */
export function soakDurationMs(text: string): number | undefined {
  const m = /^(\d+)\s*(s|min|h|d|w)$/i.exec(text.trim());
  return m ? Number(m[1]) * SOAK_UNITS[m[2].toLowerCase()] : undefined;
}

/**
 * The soak directives of a migration, and the lines that do not read as one (reported, never
 * ignored: a misspelt soak must not let a contract run early).
 */
export function soakDirectives(text: string): { soaks: SoakDirective[]; unreadable: string[] } {
  const soaks: SoakDirective[] = [];
  const unreadable: string[] = [];
  if (!mayHoldDirective(text)) return { soaks, unreadable };
  for (const m of text.matchAll(SOAK)) {
    const line = m[0].trim();
    const parts = /^(\S+)(?:\s+after\s+(\S+))?(?:\s+in\s+(.+?))?\s*$/i.exec(m[1].trim());
    const durationMs = parts ? soakDurationMs(parts[1]) : undefined;
    if (!parts || durationMs === undefined) {
      unreadable.push(line);
      continue;
    }
    const names = parts[3]?.split(/[\s,]+/).filter(Boolean);
    const scope = !names ? 'all' : names.length === 1 && names[0].toLowerCase() === 'protected' ? 'protected' : names;
    soaks.push({ duration: parts[1], durationMs, ...(parts[2] ? { after: parts[2] } : {}), scope, text: line });
  }
  return { soaks, unreadable };
}

/** The gate directives of a migration (its up section and the header above it), as the Migration model holds them. */
export function gateDirectives(text: string): { soaks: SoakDirective[]; unreadableSoaks?: string[]; requiresApproval: boolean } {
  const { soaks, unreadable } = soakDirectives(text);
  const requiresApproval = requiresApprovalDirective(text);
  return unreadable.length ? { soaks, unreadableSoaks: unreadable, requiresApproval } : { soaks, requiresApproval };
}

/** `-- tidemark:requires-approval`: applying it to a protected environment needs an approval recorded there. */
export function requiresApprovalDirective(text: string): boolean {
  return mayHoldDirective(text) && /^[ \t]*--[ \t]*tidemark:requires-approval(?![-\w])/im.test(text);
}
