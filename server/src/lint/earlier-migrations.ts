/**
 * The up sections of the migrations that run before the one being linted (same folder, lower
 * version). Some judgements depend on them: an index created CONCURRENTLY in its own earlier
 * migration — the recommended expand/contract shape — serves a foreign key added later.
 */
import { dirname } from 'node:path';
import { discoverMigrations, diskReader } from '../migrations/discovery';
import { compareVersionKeys, versionKey } from '../migrations/version';
import { parseSection } from './unit';
import type { LintUnit, ParsedSection } from './types';

/** Parsed up sections by file path, reused while the file's text is unchanged. */
const parsed = new Map<string, { text: string; section: ParsedSection }>();

export function earlierUpSections(unit: LintUnit): ParsedSection[] {
  if (!unit.version || !unit.up) return [];
  const own = versionKey(unit.version);
  const sections: ParsedSection[] = [];
  let discovered;
  try {
    discovered = discoverMigrations(dirname(unit.up.file.path), diskReader);
  } catch {
    return [];
  }
  for (const migration of discovered.migrations) {
    if (compareVersionKeys(migration.versionKey, own) >= 0) continue;
    const path = migration.up.file.path;
    const cached = parsed.get(path);
    if (cached && cached.text === migration.up.file.text && cached.section.offset === migration.up.offset) {
      sections.push(cached.section);
      continue;
    }
    const section = parseSection(migration.up);
    parsed.set(path, { text: migration.up.file.text, section });
    sections.push(section);
  }
  return sections;
}
