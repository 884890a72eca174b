/**
 * `tidemark.lint.scope: "workspace"`: every migration of the workspace folders' projects is linted
 * in the background and its diagnostics published, so the Problems panel lists the whole project's
 * findings and not only the open files'. Open files are not linted here: their editor text is
 * linted by LintScheduler, first. The background work runs in slices of a few milliseconds,
 * each started from setImmediate, so requests and edits that arrive meanwhile are served between
 * slices. Nothing is kept per file but whether diagnostics were published for it: a 1,600-migration
 * project costs its diagnostics, not 1,600 lint results.
 *
 * Kept current from file events (workspace/didChangeWatchedFiles): a changed or created migration
 * is re-linted with the migrations after it (rules read the earlier migrations), a deleted one
 * loses its diagnostics, and a config change re-reads everything.
 */
import { isInside } from '../migrations/config';
import { discoverMigrations } from '../migrations/discovery';
import { discoveryStop, lintableFiles } from '../migrations/layouts';
import type { LayoutId } from '../migrations/types';
import { ensureParser, unavailableParseCount } from '../sql/parse';
import type { Connection } from 'vscode-languageserver';
import { lintDocument } from './diagnostics';
import type { LintScope } from './editor-settings';
import type { Log, LintScheduler } from './lint-scheduler';
import { pathToUri, type OpenDocuments } from './open-documents';
import type { WorkspaceConfigs } from './workspace-config';

/** Work done between two yields to the event loop: short enough that an edit waits at most this. */
const SLICE_MS = 8;

/**
 * The earlier migrations a file's lint reads are re-checked on disk at most once a second
 * (lint/earlier-migrations.ts): the migrations after a changed one are re-linted after that.
 */
const DEPENDENTS_DELAY_MS = 1100;

interface ProjectFiles {
  migrationsDir: string;
  /** Lintable files in the order their migrations run. */
  files: string[];
  /** Position of each file's migration in that order; -1 for SQL no migration uses. */
  ordinal: Map<string, number>;
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
  private dependentsTimer?: NodeJS.Timeout;
  private readonly dependentsWaiting = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly docs: OpenDocuments,
    private readonly configs: WorkspaceConfigs,
    private readonly lint: LintScheduler,
    private readonly docsBase: string,
    private readonly log: Log,
  ) {}

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
    if (!this.enabled) {
      this.projects = [];
      this.rediscover = false;
      for (const path of [...this.published]) this.clear(path);
      return;
    }
    this.rediscover = true;
    this.start();
  }

  private discover(): void {
    this.rediscover = false;
    this.projects = this.configs.workspaceProjects().flatMap((config) => {
      const project = this.readProject(config.migrationsDir, config.config.layout);
      return project ? [project] : [];
    });
    const files = new Set(this.projects.flatMap((p) => p.files));
    for (const path of [...this.published]) if (!files.has(path)) this.clear(path);
    this.clearQueue();
    this.enqueue([...files]);
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
    if (index < 0) return false;
    let project = this.projects[index];
    const before = project.ordinal.get(path);
    if (kind !== 'changed') {
      // The folder's list changed: read it again (a new file may pair with another or take a version).
      const reread = this.readProject(project.migrationsDir, this.configs.forFile(path).config.layout);
      if (!reread) {
        for (const file of project.files) this.clear(file);
        this.projects.splice(index, 1);
        return true;
      }
      project = this.projects[index] = reread;
      for (const file of this.published) if (isInside(project.migrationsDir, file) && !project.ordinal.has(file)) this.clear(file);
    }
    const ordinal = project.ordinal.get(path) ?? before;
    if (kind === 'deleted') this.clear(path);
    else if (project.ordinal.has(path) && !this.docs.byPath(path)) this.enqueue([path], true);
    if (ordinal === undefined || ordinal < 0) return true;
    // Its own migration's other files at once (they pair with it), the later ones once their context is re-read.
    this.enqueue(
      project.files.filter((f) => project.ordinal.get(f) === ordinal && f !== path),
      true,
    );
    for (const file of project.files) if ((project.ordinal.get(file) ?? -1) > ordinal) this.dependentsWaiting.add(file);
    clearTimeout(this.dependentsTimer);
    this.dependentsTimer = setTimeout(() => {
      this.dependentsTimer = undefined;
      const files = [...this.dependentsWaiting];
      this.dependentsWaiting.clear();
      this.enqueue(files);
    }, DEPENDENTS_DELAY_MS);
    return true;
  }

  dispose(): void {
    clearTimeout(this.dependentsTimer);
    this.clearQueue();
  }

  private readProject(migrationsDir: string, layout: LayoutId | undefined): ProjectFiles | undefined {
    try {
      const result = discoverMigrations(migrationsDir, this.docs, { layout });
      // No migrations folder there, or another database's: nothing to lint in the background.
      if (discoveryStop(result, migrationsDir)) return undefined;
      const ordinal = new Map<string, number>();
      result.migrations.forEach((m, i) => {
        for (const s of [m.up, m.down, m.verify, m.precheck]) if (s) ordinal.set(s.file.path, i);
      });
      const files = lintableFiles(result);
      for (const file of files) if (!ordinal.has(file)) ordinal.set(file, -1);
      return { migrationsDir, files, ordinal };
    } catch (error) {
      this.log(`reading the migrations in ${migrationsDir} failed`, error);
      return undefined;
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
    if (this.rediscover) this.discover();
    const until = performance.now() + SLICE_MS;
    while (this.queue.length && performance.now() < until) {
      const path = this.queue.shift()!;
      this.queued.delete(path);
      this.lintFile(path);
    }
    if (this.queue.length || this.rediscover) setImmediate(() => this.slice());
    else this.running = false;
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
