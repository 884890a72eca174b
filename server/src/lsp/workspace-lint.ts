/**
 * `tidemark.lint.scope: "workspace"`: every migration of the workspace folders' projects is linted
 * in the background and its diagnostics published, so the Problems panel lists the whole project's
 * findings and not only the open files'. Open files are not linted here: their editor text is
 * linted by LintScheduler, first. The folders are read here; the files are linted on worker threads
 * (background-linters.ts), in chunks sent in the order queued, so the server's thread stays free
 * for requests and edits, and a project is linted on two cores. A few files when no worker runs
 * (a save, a closed editor) are linted here in slices of a few milliseconds, each started from
 * setImmediate, as all of them are if a worker fails. Nothing is kept per file but whether
 * diagnostics were published for it: a 1,600-migration project costs its diagnostics, not 1,600
 * lint results.
 *
 * Workers and slices lint within one batch (disk-facts.ts; a worker keeps its own), as `tidemark
 * lint` does: each folder is listed, classified and read once, and the earlier migrations' context
 * is built once, in version order, for all its files — not re-validated with a stat of every file
 * for each file linted. The batch holds until the disk changes: a file event drops it (and the
 * engine's earlier-migrations states), in the workers too.
 *
 * Kept current from file events (workspace/didChangeWatchedFiles): a changed or created migration
 * is re-linted with the migrations after it (rules read the earlier migrations), a deleted one
 * loses its diagnostics, and a config change re-reads everything. Problems of a folder rather than
 * of one migration file (a FIFO named like a migration, a migration folder without its up file)
 * are published on the path they name, as `tidemark lint` lists them.
 */
import { dirname, relative } from 'node:path';
import { isInside } from '../migrations/config';
import { discoverMigrations, lenientDiskReader } from '../migrations/discovery';
import { discoveryStop, folderProblems, lintableFiles } from '../migrations/layouts';
import type { DiscoveryProblem } from '../migrations/types';
import { RULE_OF_PROBLEM } from '../lint/layout-problems';
import { ensureParser, unavailableParseCount } from '../sql/parse';
import type { Connection, Diagnostic } from 'vscode-languageserver';
import { DIAGNOSTIC_SEVERITY, DIAGNOSTIC_SOURCE, lintDocument } from './diagnostics';
import type { LintScope } from './editor-settings';
import type { Log, LintScheduler } from './lint-scheduler';
import { pathToUri, uriToPath, type OpenDocuments } from './open-documents';
import type { ProjectConfig, WorkspaceConfigs } from './workspace-config';
import type { DiskFacts } from './disk-facts';
import { BackgroundLinters } from './background-linters';
import type { LintedFile, LinterReply } from './workspace-lint-worker';

/** Work done between two yields to the event loop: short enough that an edit waits at most this. */
const SLICE_MS = 8;
/** Files sent to a worker at once: a few milliseconds of work, so a file queued first waits little. */
const CHUNK_FILES = 40;
/** Up to this many files queued are linted here when no worker runs: less work than starting one. */
const HERE_AT_MOST = 64;

interface ProjectFiles {
  migrationsDir: string;
  /** Lintable files in the order their migrations run. */
  files: string[];
  /** Position of each file's migration in that order; -1 for SQL no migration uses. */
  ordinal: Map<string, number>;
  /** Problems the folder's reading found on paths no migration file is (published on those paths). */
  folderProblems: DiscoveryProblem[];
  /** Its config (folder problems are reported by rules too, with their severities). */
  config: ProjectConfig;
}

export class WorkspaceLinter {
  private scope: LintScope = 'workspace';
  private projects: ProjectFiles[] = [];
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Files whose diagnostics this class published (cleared when they leave the project or the scope). */
  private readonly published = new Set<string>();
  private running = false;
  /** The folders are to be read again before the next file is linted. */
  private rediscover = false;
  /** Paths with folder problems published (not migration files: nothing else clears them). */
  private readonly folderPublished = new Set<string>();
  /** Why the folder a tidemark.json names cannot be read, by config path (shown in that file). */
  private readonly stops = new Map<string, string>();
  private readonly linters: BackgroundLinters;

  constructor(
    private readonly connection: Connection,
    private readonly docs: OpenDocuments,
    private readonly configs: WorkspaceConfigs,
    private readonly lint: LintScheduler,
    private readonly disk: DiskFacts,
    private readonly docsBase: string,
    private readonly log: Log,
    /** The stops (folderStop) changed: tidemark.json's diagnostics are to be published again. */
    private readonly onStopsChanged: () => void,
    /** Where the bundle is (dist/): the workers' script is beside it. */
    bundleDir: string,
  ) {
    this.linters = new BackgroundLinters(
      bundleDir,
      (reply) => this.linted(reply),
      (files) => this.enqueue(files, true),
      log,
    );
    disk.whenChanged(() => this.linters.diskChanged());
  }

  setScope(scope: LintScope): void {
    this.scope = scope;
  }

  get enabled(): boolean {
    return this.scope === 'workspace';
  }

  /**
   * Re-reads the projects' migration folders and re-lints all of them (startup, a config or scope
   * change). The folders are read in the first slice, after the open documents' first lint.
   */
  refresh(): void {
    this.clearQueue();
    this.disk.changed();
    if (!this.enabled) {
      this.linters.dispose();
      this.projects = [];
      this.rediscover = false;
      for (const path of [...this.published]) this.clear(path);
      this.publishFolderProblems();
      return;
    }
    this.rediscover = true;
    this.start();
  }

  /** Why the migrations folder the config at `configPath` names cannot be linted, if it cannot. */
  folderStop(configPath: string): string | undefined {
    return this.enabled ? this.stops.get(configPath) : undefined;
  }

  private discover(): void {
    this.rediscover = false;
    const stopsBefore = JSON.stringify([...this.stops]);
    this.stops.clear();
    this.projects = this.configs.workspaceProjects().flatMap((config) => {
      const project = this.readProject(config.migrationsDir, config);
      return project ? [project] : [];
    });
    const files = new Set(this.projects.flatMap((p) => p.files));
    for (const path of [...this.published]) if (!files.has(path)) this.clear(path);
    this.clearQueue();
    this.enqueue([...files]);
    this.publishFolderProblems();
    if (JSON.stringify([...this.stops]) !== stopsBefore) this.onStopsChanged();
  }

  /** Whether `path` is one of the migrations linted in the background. */
  covers(path: string): boolean {
    return this.enabled && this.projects.some((p) => p.ordinal.has(path));
  }

  /** An editor closed `path`: its disk text is now what counts, linted before anything else queued. */
  closed(path: string): void {
    this.enqueue([path], true);
  }

  /**
   * A file changed, appeared or disappeared on disk. Returns whether it belongs to a project
   * linted here (the caller then leaves its diagnostics to this class).
   */
  fileChanged(path: string, kind: 'changed' | 'created' | 'deleted'): boolean {
    // A re-read of every folder is due anyway.
    if (!this.enabled || this.rediscover) return false;
    const index = this.projects.findIndex((p) => isInside(p.migrationsDir, path));
    if (index < 0) return this.retryStopped();
    let project = this.projects[index];
    const before = project.ordinal.get(path);
    if (kind !== 'changed') {
      // The folder's list changed: read it again (a new file may pair with another or take a version).
      const reread = this.rereadProject(index);
      if (!reread) return true;
      project = reread;
    }
    const ordinal = project.ordinal.get(path) ?? before;
    if (kind === 'deleted') this.clear(path);
    else if (project.ordinal.has(path) && !this.docs.byPath(path)) this.enqueue([path], true);
    if (ordinal === undefined || ordinal < 0) return true;
    // Its own migration's other files first (they pair with it), then the later ones, which read it.
    this.enqueue(
      project.files.filter((f) => project.ordinal.get(f) === ordinal && f !== path),
      true,
    );
    this.enqueue(project.files.filter((f) => (project.ordinal.get(f) ?? -1) > ordinal));
    return true;
  }

  /**
   * Something other than a migration file came, went or changed in a project's folder (a diesel
   * migration's folder, sqitch.plan): the folder is read again and all of its files re-linted,
   * since the order of migrations, and so every file's earlier migrations, may have changed.
   */
  folderChanged(path: string): void {
    if (!this.enabled || this.rediscover) return;
    const index = this.projects.findIndex((p) => isInside(p.migrationsDir, path) || isInside(path, p.migrationsDir));
    if (index < 0) {
      this.retryStopped();
      return;
    }
    const reread = this.rereadProject(index);
    if (reread) this.enqueue(reread.files.filter((f) => !this.docs.byPath(f)));
  }

  /**
   * Reads the project at `index` again: its files no longer in it are cleared, and the folder
   * problems published again. Undefined when its folder can no longer be linted: then the project
   * is dropped, its files cleared and tidemark.json's diagnostics told.
   */
  private rereadProject(index: number): ProjectFiles | undefined {
    const project = this.projects[index];
    const reread = this.disk.background(() => this.readProject(project.migrationsDir, project.config));
    if (!reread) {
      for (const file of project.files) this.clear(file);
      this.projects.splice(index, 1);
      this.onStopsChanged();
    } else {
      this.projects[index] = reread;
      for (const file of this.published) if (isInside(reread.migrationsDir, file) && !reread.ordinal.has(file)) this.clear(file);
    }
    this.publishFolderProblems();
    return reread;
  }

  /** A folder that could not be read may be readable now (created, filled): the projects are read again. */
  private retryStopped(): boolean {
    if (this.stops.size) this.refresh();
    return false;
  }

  dispose(): void {
    this.clearQueue();
    this.linters.dispose();
  }

  private readProject(migrationsDir: string, config: ProjectConfig): ProjectFiles | undefined {
    try {
      // The disk's files, as the lints of the earlier migrations read them: one reading per batch for both.
      const result = discoverMigrations(migrationsDir, lenientDiskReader, { layout: config.config.layout });
      // No migrations folder there, or another database's: nothing to lint in the background. When
      // tidemark.json names the folder, that is a mistake to show there (`tidemark lint` stops on it).
      const stop = discoveryStop(result, relative(config.root, migrationsDir) || '.');
      if (stop && config.path && config.config.migrationsDir) this.stops.set(config.path, stop);
      if (stop) return undefined;
      const ordinal = new Map<string, number>();
      result.migrations.forEach((m, i) => {
        for (const s of [m.up, m.down, m.verify, m.precheck]) if (s) ordinal.set(s.file.path, i);
      });
      const files = lintableFiles(result);
      for (const file of files) if (!ordinal.has(file)) ordinal.set(file, -1);
      // A problem on a file that is linted is reported by that file's lint.
      const problems = folderProblems(result).filter((p) => !ordinal.has(p.path));
      return { migrationsDir, files, ordinal, folderProblems: problems, config };
    } catch (error) {
      this.log(`reading the migrations in ${migrationsDir} failed`, error);
      return undefined;
    }
  }

  /** The projects' folder problems as diagnostics on the paths they name; cleared where gone. */
  private publishFolderProblems(): void {
    const byPath = new Map<string, Diagnostic[]>();
    for (const project of this.projects) {
      for (const problem of project.folderProblems) {
        const rule = RULE_OF_PROBLEM[problem.code];
        const setting = project.config.severities[rule];
        if (setting === 'off') continue;
        const severity = setting ?? problem.severity ?? 'error';
        const at = { line: 0, character: 0 };
        const diagnostic: Diagnostic = {
          range: { start: at, end: at },
          severity: DIAGNOSTIC_SEVERITY[severity],
          code: rule,
          codeDescription: { href: `${this.docsBase}${rule}.md` },
          source: DIAGNOSTIC_SOURCE,
          message: problem.message,
        };
        byPath.set(problem.path, [...(byPath.get(problem.path) ?? []), diagnostic]);
      }
    }
    for (const path of this.folderPublished) if (!byPath.has(path)) void this.connection.sendDiagnostics({ uri: this.docs.uriOf(path), diagnostics: [] });
    this.folderPublished.clear();
    for (const [path, diagnostics] of byPath) {
      this.folderPublished.add(path);
      void this.connection.sendDiagnostics({ uri: this.docs.uriOf(path), diagnostics });
    }
  }

  private enqueue(paths: string[], first = false): void {
    if (!paths.length) return;
    if (first) {
      for (const path of paths) if (this.queued.has(path)) this.queue.splice(this.queue.indexOf(path), 1);
      this.queue.unshift(...paths);
    } else {
      for (const path of paths) if (!this.queued.has(path)) this.queue.push(path);
    }
    for (const path of paths) this.queued.add(path);
    this.start();
  }

  private clearQueue(): void {
    this.queue.length = 0;
    this.queued.clear();
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.lint.ready.then(
      () => setImmediate(() => this.slice()),
      () => {
        this.running = false;
      },
    );
  }

  private slice(): void {
    // Open documents not linted yet go first: the file the user looks at never waits for the project.
    this.lint.lintUnlinted();
    if (this.rediscover) {
      // The worker loads its code and parser while the folders are read here: after the open
      // documents' first lint, which it would otherwise compete with for the CPU.
      this.linters.warm();
      this.disk.background(() => this.discover());
    }
    // A short queue with no worker running is linted here; a long one, or one a worker runs for, is sent.
    const here = this.linters.failed || (!this.linters.alive && this.queue.length <= HERE_AT_MOST);
    if (here) {
      this.disk.background(() => {
        const until = performance.now() + SLICE_MS;
        while (this.queue.length && performance.now() < until) {
          const path = this.queue.shift()!;
          this.queued.delete(path);
          this.lintFile(path);
        }
      });
    } else this.send();
    if (here && (this.queue.length || this.rediscover)) return void setImmediate(() => this.slice());
    this.running = false;
    if (!this.queue.length && !this.linters.busy) {
      this.linters.idle();
      this.disk.idle();
    }
  }

  /** Sends chunks of the queue to the workers while they take them; the rest goes as they answer. */
  private send(): void {
    // A config governs a folder's files alike (projectOfFile looks up from the file's folder): one lookup per folder.
    const configOfFolder = new Map<string, ProjectConfig>();
    const configOf = (path: string) => {
      const folder = dirname(path);
      let config = configOfFolder.get(folder);
      if (!config) configOfFolder.set(folder, (config = this.configs.forFile(path)));
      return config;
    };
    // The open documents' texts win over the disk for the files a lint reads (a migration's down file reads its up).
    let open: Array<[string, string]> | undefined;
    while (this.queue.length && this.linters.canTake()) {
      const chunk: Array<{ path: string; config: ProjectConfig }> = [];
      while (this.queue.length && chunk.length < CHUNK_FILES) {
        const path = this.queue.shift()!;
        this.queued.delete(path);
        // An open file's editor text is linted by the scheduler; a file no longer in a project is cleared.
        if (this.docs.byPath(path)) continue;
        if (!this.covers(path)) this.clear(path);
        else chunk.push({ path, config: configOf(path) });
      }
      if (!chunk.length) continue;
      open ??= this.docs.all().map((doc): [string, string] => [uriToPath(doc.uri), doc.getText()]);
      this.linters.send(chunk, open, this.docsBase);
    }
  }

  /** A worker's diagnostics for a chunk, published unless the file was opened, left the project or is queued again. */
  private linted(reply: LinterReply): void {
    for (const error of reply.errors) this.log(error);
    for (const { path, diagnostics } of JSON.parse(new TextDecoder().decode(reply.results)) as LintedFile[]) {
      // Queued again (changed on disk since it was sent): its next lint publishes.
      if (this.queued.has(path) || this.docs.byPath(path)) continue;
      if (!diagnostics || !this.covers(path)) {
        this.clear(path);
        continue;
      }
      void this.connection.sendDiagnostics({ uri: this.docs.uriOf(path), diagnostics });
      this.published.add(path);
    }
    this.start();
  }

  private lintFile(path: string): void {
    // An open file's editor text is linted by the scheduler; a file no longer in a project is cleared.
    if (this.docs.byPath(path)) return;
    if (!this.covers(path)) return this.clear(path);
    const text = this.docs.read(path);
    if (text === undefined) return this.clear(path);
    try {
      const missedParses = unavailableParseCount();
      const result = lintDocument({ uri: pathToUri(path), version: 0, path, text }, this.docs, this.configs.forFile(path), this.docsBase, (rule, error) =>
        this.log(`rule ${rule} failed on ${path}`, error),
      );
      void this.connection.sendDiagnostics({ uri: this.docs.uriOf(path), diagnostics: result.diagnostics });
      this.published.add(path);
      // Parsed while the parser was being replaced after a trap: lint it again once it is back.
      if (unavailableParseCount() !== missedParses)
        void ensureParser().then(
          () => this.enqueue([path]),
          (error) => this.log('the SQL parser failed to load', error),
        );
    } catch (error) {
      this.log(`linting ${path} failed`, error);
    }
  }

  private clear(path: string): void {
    if (!this.published.delete(path) || this.docs.byPath(path)) return;
    void this.connection.sendDiagnostics({ uri: this.docs.uriOf(path), diagnostics: [] });
  }
}
