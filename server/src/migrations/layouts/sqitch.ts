/**
 * sqitch: `sqitch.plan` decides the order and the set (changes, `@tags`, `[dependencies]`, a
 * change planned again after a tag is a rework), each change's scripts live at
 * `deploy/NAME.sql`, `revert/NAME.sql`, `verify/NAME.sql` (names may hold folders:
 * `deploy/app.devices/create.sql`), and the earlier instance of a reworked change keeps its scripts
 * at `deploy/NAME@TAG.sql`. Read as sqitch 1.x reads them (App::Sqitch::Plan, ::Plan::Change).
 *
 * sqitch runs each script through psql as written: its scripts open and end their own
 * transaction (`BEGIN; … COMMIT;`), so they are never wrapped again, and a verify script passes
 * when it raises no error — whatever its queries return.
 *
 * sqitch has no version numbers: the plan position orders, the change name identifies. A
 * migration's version is the change name; a reworked change's later instances are `NAME~2`,
 * `NAME~3`... so that the first instance keeps the identity it was applied under.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SourceFile } from '../../sql/source';
import { splitStatements } from '../../sql/split';
import { sqlTokens } from '../../sql/tokens';
import { checksum } from '../checksum';
import { blockedReasons, environmentsDirective, hasNoTransactionDirective } from '../sections';
import type { DiscoveryProblem, Migration, Section, UnusedFile } from '../types';
import { FolderCensus, MARKER_FILE, withText, type LayoutReader, type LayoutReading } from './reader';

// ---------------------------------------------------------------------------------------------
// sqitch.plan

/** A `[dependency]` of a change: `name`, `name@tag`, `@tag`, `project:name`, `!conflict`, or a change ID. */
export interface SqitchDependency {
  conflicts: boolean;
  project?: string;
  change?: string;
  tag?: string;
  id?: string;
  /** As written in the plan. */
  text: string;
}

export interface SqitchChange {
  name: string;
  /** 1-based line of the change in the plan. */
  line: number;
  /** `+` or `-` when written (a `-` change is planned to be reverted). */
  operator: '' | '+' | '-';
  requires: SqitchDependency[];
  conflicts: SqitchDependency[];
  /** Tags declared right after it (`@v1.0`), without the `@`. */
  tags: string[];
  /** The tag before it in the plan (its "since" tag), without the `@`. */
  sinceTag?: string;
  /** Set on a change planned again later: the tags between it and its rework (its scripts are NAME@TAG.sql). */
  reworkTags: string[];
  /** 1 for the first instance of a name, 2 for its first rework... */
  instance: number;
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  note: string;
  /** sqitch's change ID (SHA-1 of the change's info), as `sqitch plan --format raw` prints it. */
  id: string;
}

export interface SqitchPlan {
  project?: string;
  uri?: string;
  changes: SqitchChange[];
  /** Syntax and dependency errors, each with its 1-based line. */
  errors: Array<{ line: number; message: string }>;
}

// Like POSIX [:punct:] but without `_` (App::Sqitch::Plan).
const PUNCT = String.raw`\-!"#$%&'()*+,./:;<=>?@\[\\\]^\x60{|}~`;
// A name: no blanks or `:@#\`, not starting or ending with punctuation, and no `~^/=%[]` followed by digits alone (symbolic references).
const NAME = String.raw`(?![${PUNCT}])(?:(?![~/=%^\[\]]\d+(?:$|[ \t]))[^ \t:@#\\])+(?<![${PUNCT}])`;
const NAME_ONLY = new RegExp(`^${NAME}$`);
const TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`;
const LINE = new RegExp(
  String.raw`^[ \t]*(?:(?<at>@)|[ \t]*(?<operator>[+-])[ \t]*)?(?<name>${NAME})(?:[ \t]+)?(?:\[(?<deps>[^\]]+)\][ \t]*)?(?:(?<timestamp>${TIMESTAMP})[ \t]*)?(?:(?<plannerName>[^<]+)[ \t]+<(?<plannerEmail>[^>]+)>)?$`,
);
const DEPENDENCY = new RegExp(String.raw`^(!?)(?:(${NAME}):)?(?:([0-9a-f]{40})|(${NAME})(?:@(${NAME}))?|@(${NAME}))$`);
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/;
const PRAGMA = /^[ \t]*%[ \t]*([^=\s]+?)[ \t]*(?:=[ \t]*(.+?))?[ \t]*$/;

/** Splits the note off a plan line (`… # note`): the first `#` starts it. */
function splitNote(line: string): { body: string; note: string } {
  const hash = line.indexOf('#');
  if (hash < 0) return { body: line.replace(/[ \t]+$/, ''), note: '' };
  const note = line
    .slice(hash + 1)
    .trim()
    .replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
  return { body: line.slice(0, hash).replace(/[ \t]+$/, ''), note };
}

function parseDependency(text: string): SqitchDependency | undefined {
  const m = DEPENDENCY.exec(text);
  if (!m) return undefined;
  return { conflicts: m[1] === '!', project: m[2], id: m[3], change: m[4], tag: m[5] ?? m[6], text };
}

/** The dependency as sqitch writes it into a change's info (project-qualified only for other projects). */
function dependencyString(dep: SqitchDependency, project: string | undefined): string {
  const key = dep.change !== undefined || dep.tag !== undefined ? `${dep.change ?? ''}${dep.tag !== undefined ? `@${dep.tag}` : ''}` : (dep.id ?? '');
  return dep.project !== undefined && dep.project !== project ? `${dep.project}:${key}` : key;
}

/** sqitch's change ID: SHA-1 over `change LENGTH\0INFO`, git-object style (App::Sqitch::Plan::Change `id`). */
function changeId(change: Omit<SqitchChange, 'id'>, plan: { project?: string; uri?: string }, parentId: string | undefined): string {
  const reqs = change.requires.map((d) => dependencyString(d, plan.project)).join('\n  + ');
  const confs = change.conflicts.map((d) => dependencyString(d, plan.project)).join('\n  - ');
  const info = [
    `project ${plan.project ?? ''}`,
    ...(plan.uri ? [`uri ${plan.uri}`] : []),
    `change ${change.name}`,
    ...(parentId ? [`parent ${parentId}`] : []),
    `planner ${change.plannerName} <${change.plannerEmail}>`,
    `date ${change.timestamp}`,
    ...(reqs ? [`requires\n  + ${reqs}`] : []),
    ...(confs ? [`conflicts\n  - ${confs}`] : []),
    ...(change.note ? ['', change.note] : []),
  ].join('\n');
  const bytes = Buffer.from(info, 'utf8');
  return createHash('sha1').update(`change ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Reads a sqitch.plan as App::Sqitch::Plan does: order as written, errors where sqitch would stop. */
export function parseSqitchPlan(text: string): SqitchPlan {
  const plan: SqitchPlan = { changes: [], errors: [] };
  const lines = text.split(/\r?\n/);
  let i = 0;
  // Pragmas come first, ended by the first blank line.
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (BLANK_OR_COMMENT.test(line)) {
      if (!/#/.test(line)) {
        i++;
        break;
      }
      continue;
    }
    const m = PRAGMA.exec(splitNote(line).body);
    if (!m) {
      plan.errors.push({ line: i + 1, message: 'invalid pragma; a blank line must come between pragmas and changes' });
      continue;
    }
    if (m[1] === 'project') plan.project = m[2];
    else if (m[1] === 'uri') plan.uri = m[2];
  }
  if (!plan.project) plan.errors.push({ line: 1, message: 'missing %project pragma' });
  else if (!NAME_ONLY.test(plan.project)) plan.errors.push({ line: 1, message: `invalid project name "${plan.project}"` });

  const seenTags = new Map<string, number>();
  /** Line of every change name planned so far (its latest instance), and of changes since the last tag. */
  const changeLines = new Map<string, number>();
  let sinceLastTag = new Map<string, number>();
  const instances = new Map<string, SqitchChange[]>();
  let previous: SqitchChange | undefined;
  let lastTag: string | undefined;
  for (; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    if (BLANK_OR_COMMENT.test(raw)) continue;
    const { body, note } = splitNote(raw);
    const m = LINE.exec(body);
    const fail = (message: string) => plan.errors.push({ line: lineNo, message });
    if (!m) {
      fail(
        `cannot read "${body.trim()}": a change is NAME [DEPENDENCIES] TIMESTAMP PLANNER <EMAIL>, a tag @NAME TIMESTAMP PLANNER <EMAIL>; names must not begin with punctuation, contain "@", ":", "#", "\\" or blanks, or end in punctuation`,
      );
      continue;
    }
    const { at, operator = '', name, deps, timestamp, plannerName, plannerEmail } = m.groups!;
    if (!timestamp) {
      fail(plannerName ? 'missing timestamp' : 'missing timestamp and planner name and email');
      continue;
    }
    if (!plannerName) {
      fail('missing planner name and email');
      continue;
    }
    if (name === 'HEAD' || name === 'ROOT') {
      fail(`"${at ? '@' : ''}${name}" is a reserved name`);
      continue;
    }
    if (/^[0-9a-f]{40}/.test(name)) {
      fail(`"${name}" is invalid because it could be confused with a SHA1 ID`);
      continue;
    }
    if (at) {
      if (name.includes('/')) fail(`tag "${name}" contains illegal character /`);
      else if (!previous) fail(`tag "${name}" declared without a preceding change`);
      else if (seenTags.has(name)) fail(`tag "${name}" duplicates earlier declaration on line ${seenTags.get(name)}`);
      else if (deps) fail('tags may not specify dependencies');
      else {
        previous.tags.push(name);
        seenTags.set(name, lineNo);
        lastTag = name;
        sinceLastTag = new Map();
      }
      continue;
    }
    const dupe = sinceLastTag.get(name);
    if (dupe !== undefined) {
      fail(`change "${name}" duplicates earlier declaration on line ${dupe}; to rework a change, tag the plan between its two instances (sqitch tag, then sqitch rework)`);
      continue;
    }
    const requires: SqitchDependency[] = [];
    const conflicts: SqitchDependency[] = [];
    const seenDeps = new Set<string>();
    for (const text of deps ? deps.trim().split(/[ \t]+/) : []) {
      const dep = parseDependency(text);
      if (!dep) fail(`"${text}" is not a valid dependency specification`);
      else if (seenDeps.has(text)) fail(`duplicate dependency "${text}"`);
      else (dep.conflicts ? conflicts : requires).push(dep);
      seenDeps.add(text);
    }
    const earlier = instances.get(name) ?? [];
    const change: Omit<SqitchChange, 'id'> = {
      name,
      line: lineNo,
      operator: operator as SqitchChange['operator'],
      requires,
      conflicts,
      tags: [],
      sinceTag: lastTag,
      reworkTags: [],
      instance: earlier.length + 1,
      timestamp: timestamp,
      plannerName,
      plannerEmail,
      note,
    };
    const full: SqitchChange = { ...change, id: changeId(change, plan, previous?.id) };
    const reworked = earlier.at(-1);
    if (reworked) {
      // The tags from the reworked instance up to this one, nearest first (Plan.pm `add_rework_tags`).
      const from = plan.changes.indexOf(reworked);
      const between: string[] = [];
      for (let k = plan.changes.length - 1; k > from; k--) between.push(...plan.changes[k].tags);
      reworked.reworkTags.push(...between, ...reworked.tags);
    }
    instances.set(name, [...earlier, full]);
    plan.changes.push(full);
    sinceLastTag.set(name, lineNo);
    changeLines.set(name, lineNo);
    previous = full;
  }
  validateDependencies(plan, seenTags);
  return plan;
}

/** sqitch refuses a plan whose changes require what is not planned before them (Plan.pm `check_changes`). */
function validateDependencies(plan: SqitchPlan, tagLines: Map<string, number>): void {
  const firstLine = new Map<string, number>();
  const position = new Map<string, number>();
  plan.changes.forEach((c, index) => {
    if (!firstLine.has(c.name)) firstLine.set(c.name, c.line);
    position.set(c.name, index);
  });
  plan.changes.forEach((change, index) => {
    for (const dep of change.requires) {
      if (dep.project !== undefined ? dep.project !== plan.project : dep.id !== undefined) continue;
      if (dep.change !== undefined && dep.tag !== undefined) {
        const tagAt = tagLines.get(dep.tag);
        const changeAt = firstLine.get(dep.change);
        if (tagAt !== undefined && tagAt < change.line && changeAt !== undefined && changeAt < tagAt) continue;
        plan.errors.push({
          line: change.line,
          message: `unknown change "${dep.text}" required by change "${change.name}": no change "${dep.change}" is planned before tag @${dep.tag}`,
        });
        continue;
      }
      if (dep.change === undefined) {
        const tagAt = dep.tag !== undefined ? tagLines.get(dep.tag) : undefined;
        if (tagAt !== undefined && tagAt < change.line) continue;
        plan.errors.push({ line: change.line, message: `unknown tag "@${dep.tag}" required by change "${change.name}"` });
        continue;
      }
      const at = firstLine.get(dep.change);
      if (at !== undefined && at < change.line) continue;
      if (dep.change === change.name) plan.errors.push({ line: change.line, message: `change "${change.name}" cannot require itself` });
      else if (at !== undefined) {
        const delta = position.get(dep.change)! - index;
        plan.errors.push({
          line: change.line,
          message: `change "${change.name}" planned ${delta} change${delta === 1 ? '' : 's'} before required change "${dep.change}": move it down ${delta} line${delta === 1 ? '' : 's'}`,
        });
      } else plan.errors.push({ line: change.line, message: `unknown change "${dep.change}" required by change "${change.name}"` });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// sqitch.conf

/** Where a sqitch project keeps its plan and scripts: `[core]` and `[engine "pg"]` of sqitch.conf, or the defaults. */
export interface SqitchPaths {
  planFile: string;
  deployDir: string;
  revertDir: string;
  verifyDir: string;
  reworkedDeployDir: string;
  reworkedRevertDir: string;
  reworkedVerifyDir: string;
  extension: string;
}

/** The `[core]` and `[engine "pg"]` keys of a git-config style sqitch.conf (engine keys win). */
export function readSqitchConf(text: string): Map<string, string> {
  const core = new Map<string, string>();
  const engine = new Map<string, string>();
  let section: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '').trim();
    if (!line) continue;
    const header = /^\[\s*([\w.-]+)(?:\s+"([^"]*)")?\s*\]$/.exec(line);
    if (header) {
      const [, name, sub] = header;
      section = name.toLowerCase() === 'core' && sub === undefined ? core : name.toLowerCase() === 'engine' && sub === 'pg' ? engine : undefined;
      continue;
    }
    const kv = /^([\w-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (kv && section) section.set(kv[1].toLowerCase(), (kv[2] ?? 'true').replace(/^"(.*)"$/, '$1'));
  }
  return new Map([...core, ...engine]);
}

export function sqitchPaths(projectDir: string, conf: Map<string, string>): SqitchPaths {
  const at = (p: string) => join(projectDir, p);
  const top = at(conf.get('top_dir') ?? '.');
  const reworked = conf.has('reworked_dir') ? at(conf.get('reworked_dir')!) : top;
  const dir = (key: string, base: string, name: string) => (conf.has(key) ? at(conf.get(key)!) : join(base, name));
  return {
    planFile: conf.has('plan_file') ? at(conf.get('plan_file')!) : join(top, 'sqitch.plan'),
    deployDir: dir('deploy_dir', top, 'deploy'),
    revertDir: dir('revert_dir', top, 'revert'),
    verifyDir: dir('verify_dir', top, 'verify'),
    reworkedDeployDir: dir('reworked_deploy_dir', reworked, 'deploy'),
    reworkedRevertDir: dir('reworked_revert_dir', reworked, 'revert'),
    reworkedVerifyDir: dir('reworked_verify_dir', reworked, 'verify'),
    extension: conf.get('extension') ?? 'sql',
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a project

/** Whether a script opens its own transaction (`BEGIN;` / `START TRANSACTION;` as a statement of its own). */
export function opensOwnTransaction(text: string): boolean {
  for (const span of splitStatements(text)) {
    const words = sqlTokens(text.slice(span.start, span.end)).filter((t) => t.kind === 'word');
    const [first, second] = words.map((t) => t.value);
    if (first === 'begin' && (second === undefined || second === 'transaction' || second === 'work' || second === 'isolation' || second === 'read')) return true;
    if (first === 'start' && second === 'transaction') return true;
  }
  return false;
}

/**
 * The migration versions of a plan's changes, in plan order: the change name, and `NAME~N` for
 * the N-th instance of a reworked change.
 */
export const sqitchVersion = (change: Pick<SqitchChange, 'name' | 'instance'>) => (change.instance === 1 ? change.name : `${change.name}~${change.instance}`);

export interface SqitchProject {
  paths: SqitchPaths;
  plan: SqitchPlan;
  reading: LayoutReading;
}

/**
 * Reads a sqitch project whose sqitch.conf (or, without one, sqitch.plan) is in `census.folder`.
 * With `only`, just the change that script belongs to is read (the linter's one file).
 */
export function readSqitchProject(census: FolderCensus, only?: string): SqitchProject {
  const root = census.folder;
  const rel = (path: string) => relative(root, path).split('\\').join('/');
  const conf = readSqitchConf(census.text('sqitch.conf') ?? '');
  const paths = sqitchPaths(root, conf);
  const problems: DiscoveryProblem[] = [];
  const unused: UnusedFile[] = [];
  const migrations: Migration[] = [];
  const planText = census.text(rel(paths.planFile));
  if (planText === undefined) {
    problems.push({ code: 'unreadable-file', message: `cannot read the sqitch plan ${rel(paths.planFile)}`, path: paths.planFile });
    return { paths, plan: { changes: [], errors: [] }, reading: { migrations, problems, unused } };
  }
  const planFile = new SourceFile(paths.planFile, planText);
  const plan = parseSqitchPlan(planText);
  for (const error of plan.errors) {
    problems.push({
      code: 'layout-error',
      message: `${rel(paths.planFile)}:${error.line}: ${error.message}`,
      path: paths.planFile,
      offset: planFile.offsetAt({ line: error.line - 1, character: 0 }),
    });
  }

  const used = new Set<string>();
  plan.changes.forEach((change, index) => {
    const script = (dir: string, reworkedDir: string): { path: string; text?: string } => {
      const segments = change.name.split('/');
      const base = segments.pop()!;
      const ext = `.${paths.extension}`;
      if (change.reworkTags.length === 0) return readScript(census, rel(join(dir, ...segments, base + ext)), root);
      // The first rework tag whose script exists names it; none does: the first (Change.pm `path_segments`).
      for (const tag of change.reworkTags) {
        const found = readScript(census, rel(join(reworkedDir, ...segments, `${base}@${tag}${ext}`)), root);
        if (found.text !== undefined) return found;
      }
      return { path: join(reworkedDir, ...segments, `${base}@${change.reworkTags[0]}${ext}`) };
    };
    if (
      only !== undefined &&
      ![paths.deployDir, paths.revertDir, paths.verifyDir, paths.reworkedDeployDir, paths.reworkedRevertDir, paths.reworkedVerifyDir].some((dir) =>
        only.startsWith(join(dir, change.name)),
      )
    )
      return;
    const deploy = script(paths.deployDir, paths.reworkedDeployDir);
    const revert = script(paths.revertDir, paths.reworkedRevertDir);
    const verify = script(paths.verifyDir, paths.reworkedVerifyDir);
    if (only !== undefined && ![deploy.path, revert.path, verify.path].includes(only)) return;
    for (const s of [deploy, revert, verify]) if (s.text !== undefined) used.add(rel(s.path));
    const planOffset = planFile.offsetAt({ line: change.line - 1, character: 0 });
    if (deploy.text === undefined) {
      problems.push({
        code: 'layout-error',
        message: `change "${change.name}" (${rel(paths.planFile)}:${change.line}) has no deploy script: ${rel(deploy.path)} does not exist`,
        path: paths.planFile,
        offset: planOffset,
      });
      return;
    }
    if (change.operator === '-') {
      problems.push({
        code: 'layout-error',
        message: `change "${change.name}" is planned with "-" (to be reverted), which Tidemark does not run; remove the line or plan the change with "+"`,
        path: paths.planFile,
        offset: planOffset,
      });
      return;
    }
    if (revert.text === undefined) {
      problems.push({
        code: 'layout-note',
        severity: 'warning',
        message: `change "${change.name}" has no revert script (${rel(revert.path)}): it cannot be rolled back`,
        path: deploy.path,
      });
    }
    const up = wholeFile('up', deploy.path, deploy.text);
    const directives = up.text;
    const noTransactionDirective = hasNoTransactionDirective(directives);
    // psql runs the script as written: one that opens its own transaction owns it; one that does not runs statement by statement in autocommit.
    const transaction = opensOwnTransaction(up.text) ? 'own' : 'none';
    migrations.push({
      version: sqitchVersion(change),
      versionKey: [index + 1],
      name: change.name,
      layout: 'folders',
      execution: { layout: 'sqitch', transaction, downsByDesign: true, canRunTwice: transaction === 'none' },
      up,
      down: revert.text !== undefined ? wholeFile('down', revert.path, revert.text) : undefined,
      verify: verify.text !== undefined ? { ...wholeFile('verify', verify.path, verify.text), passesWithoutError: true } : undefined,
      noTransactionDirective,
      blockedReasons: blockedReasons(directives),
      environments: environmentsDirective(directives)?.names.map((n) => n.name),
      checksum: checksum(up.text),
      toolId: change.id,
    });
  });

  if (only !== undefined)
    return { paths, plan, reading: { migrations, problems: problems.filter((p) => p.path === only || migrations.some((m) => p.message.includes(`"${m.name}"`))), unused } };
  // Scripts no plan entry names are never run by sqitch: listed, not dropped silently.
  for (const [dir, what] of [
    [paths.deployDir, 'deploy'],
    [paths.revertDir, 'revert'],
    [paths.verifyDir, 'verify'],
  ] as const) {
    for (const file of scriptsUnder(census, rel(dir), paths.extension)) {
      if (!used.has(file)) unused.push({ path: join(root, file), why: `a ${what} script no change in ${rel(paths.planFile)} names` });
    }
  }
  return { paths, plan, reading: { migrations, problems, unused } };
}

function readScript(census: FolderCensus, rel: string, root: string): { path: string; text?: string } {
  return { path: join(root, rel), text: census.has(rel) ? census.text(rel) : undefined };
}

function wholeFile(kind: Section['kind'], path: string, text: string): Section {
  return { kind, file: new SourceFile(path, text), offset: 0, text };
}

/** Script files under a scripts folder, nested folders included, relative to the project. */
function scriptsUnder(census: FolderCensus, dir: string, extension: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    if (depth > 16) return;
    for (const entry of census.entries(rel)) {
      const path = `${rel}/${entry.name}`;
      if (entry.kind === 'folder') walk(path, depth + 1);
      else if (entry.kind === 'file' && entry.name.endsWith(`.${extension}`)) out.push(path);
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * The sqitch project a script belongs to: the nearest folder above it with sqitch.conf, else with
 * sqitch.plan, when the script is under a deploy/ revert/ or verify/ folder of it.
 */
function sqitchProjectOf(path: string): string | undefined {
  let withPlan: string | undefined;
  let project: string | undefined;
  for (let dir = dirname(path), depth = 0; depth < 16; depth++) {
    if (existsSync(join(dir, 'sqitch.conf'))) {
      project = dir;
      break;
    }
    if (!withPlan && existsSync(join(dir, 'sqitch.plan'))) withPlan = dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  project ??= withPlan;
  return project && /(^|[\\/])(deploy|revert|verify)[\\/]/.test(relative(project, path)) ? project : undefined;
}

export const sqitch: LayoutReader = {
  id: 'sqitch',
  defaultFolders: ['', 'sqitch', 'db'],
  activationGlobs: ['**/sqitch.plan'],
  detect(census) {
    if (census.has('sqitch.plan')) return { score: MARKER_FILE, evidence: 'sqitch.plan' };
    if (census.has('sqitch.conf')) return { score: MARKER_FILE, evidence: 'sqitch.conf' };
    return undefined;
  },
  read: (census) => readSqitchProject(census).reading,
  folderOf: (path) => (path.toLowerCase().endsWith('.sql') ? sqitchProjectOf(path) : undefined),
  readFile(path, text, folder, reader) {
    const { reading } = readSqitchProject(new FolderCensus(folder, withText(reader, path, text)), path);
    const [migration] = reading.migrations;
    return migration && { migration, problems: reading.problems };
  },
};
