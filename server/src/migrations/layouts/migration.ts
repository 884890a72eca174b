/**
 * The part of building a Migration every reader shares: Tidemark's own directives (blocked,
 * draft, environments) read from the up and the header above it, and the checksum of the up.
 */
import { basename } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { blockedReasons, environmentsDirective, gateDirectives } from '../sections';
import type { LayoutKind, Migration, MigrationExecution, Section } from '../types';

export interface MigrationSections {
  version: string;
  /** Defaults to the version's digit groups, compared as numbers. */
  versionKey?: number[];
  name: string;
  layout: LayoutKind;
  execution: MigrationExecution;
  up: Section;
  down?: Section;
  verify?: Section;
  precheck?: Section;
  downMarker?: string;
  /** Where a generated rollback file goes, for layouts that keep downs in files of their own. */
  downFile?: string;
  /** Why it must not run yet, found by the reader (what the tool would refuse). */
  blocked?: string[];
}

export function makeMigration(parts: MigrationSections): Migration {
  const { up } = parts;
  const directiveText = up.file.text.slice(0, up.offset) + up.text;
  return {
    version: parts.version,
    versionKey:
      parts.versionKey ??
      parts.version
        .split(/[^0-9]+/)
        .filter(Boolean)
        .map(Number),
    name: parts.name,
    layout: parts.layout,
    execution: parts.execution,
    up,
    down: parts.down,
    verify: parts.verify,
    precheck: parts.precheck,
    noTransactionDirective: parts.execution.transaction === 'none',
    blockedReasons: [...(parts.blocked ?? []), ...blockedReasons(directiveText)],
    environments: environmentsDirective(directiveText)?.names.map((n) => n.name),
    ...gateDirectives(directiveText),
    checksum: checksum(up.text),
    ...(parts.downMarker ? { downMarker: parts.downMarker } : {}),
    ...(parts.downFile ? { downFile: parts.downFile } : {}),
  };
}

/** A whole file as one section. */
export function wholeFile(kind: Section['kind'], path: string, text: string, breaks?: number[]): Section {
  return { kind, file: new SourceFile(path, text), offset: 0, text, ...(breaks?.length ? { breaks } : {}) };
}

/** `<version>_<name>` of a migration folder or file stem, cut at the first "_". */
export function cutAtUnderscore(stem: string): { head: string; name: string } {
  const at = stem.indexOf('_');
  return at < 0 ? { head: stem, name: '' } : { head: stem.slice(0, at), name: stem.slice(at + 1) };
}

export const fileName = (path: string) => basename(path);
