/**
 * The replay check on a worker thread, for the language server: PGlite runs the shadow's SQL on
 * this thread, so the server's own thread keeps answering hovers and lint while a check runs. The
 * shadow stays warm between requests; it is replaced only when the project, its check setup or an
 * earlier migration changed. A `cancel` message is read between statements (checkMigration's
 * cancellation points), so a newer edit stops the running check within one statement.
 */
import { parentPort } from 'node:worker_threads';
import { discoverMigrations, lenientDiskReader, type FileReader } from '../migrations/discovery';
import { ensureParser } from '../sql/parse';
import { CancelledError } from '../runner/execution';
import { replayMigration } from './check';
import { migrationHoldsFile } from './project';
import { Shadow, withMigrationExtensions } from './shadow';
import type { Migration } from '../migrations/types';
import type { WorkerReply, WorkerRequest } from './editor-check';

let shadow: { migrationsDir: string; instance: Shadow } | undefined;
/** The folder as read for a caller whose files do not change (filesFixed): 100 migrations read once, not 100 times. */
let fixedFolder: { migrationsDir: string; migrations: Migration[] } | undefined;
const cancelled = new Set<number>();
/** Requests run one at a time, in order: they share the one shadow. */
let queue: Promise<void> = Promise.resolve();

function post(reply: WorkerReply): void {
  parentPort!.postMessage(reply);
}

async function shadowFor(request: Extract<WorkerRequest, { kind: 'check' }>, migrations: readonly Migration[]): Promise<Shadow> {
  // The extensions to load come from the migrations as the editor holds them, unsaved edits included.
  const setup = withMigrationExtensions(request.setup, migrations);
  if (shadow && (shadow.migrationsDir !== request.migrationsDir || !shadow.instance.matches(setup))) {
    await shadow.instance.close();
    shadow = undefined;
  }
  if (!shadow) shadow = { migrationsDir: request.migrationsDir, instance: await Shadow.open(setup) };
  return shadow.instance;
}

async function check(request: Extract<WorkerRequest, { kind: 'check' }>): Promise<void> {
  const isCancelled = () => cancelled.has(request.id);
  try {
    if (isCancelled()) return post({ kind: 'cancelled', id: request.id });
    await ensureParser();
    const reader: FileReader = { read: (path) => request.unsaved[path] ?? lenientDiskReader.read(path) };
    let discovered: Migration[];
    if (request.filesFixed && fixedFolder?.migrationsDir === request.migrationsDir) discovered = fixedFolder.migrations;
    else {
      discovered = discoverMigrations(request.migrationsDir, reader, { layout: request.layout }).migrations;
      fixedFolder = request.filesFixed ? { migrationsDir: request.migrationsDir, migrations: discovered } : undefined;
    }
    const own = discovered.findIndex((m) => migrationHoldsFile(m, request.path));
    // Earlier migrations whose replay timed out are left out of the shadow: they would time out again.
    const migrations = discovered.filter((m, i) => i >= own || !request.skipVersions?.includes(m.version));
    const index = migrations.findIndex((m) => migrationHoldsFile(m, request.path));
    if (index < 0) return post({ kind: 'result', id: request.id, result: undefined });
    let instance = await shadowFor(request, migrations);
    if (!instance.canBuild(migrations.slice(0, index))) {
      // An earlier migration changed: its schema is not the one built.
      await instance.close();
      shadow = undefined;
      instance = await shadowFor(request, migrations);
    }
    post({ kind: 'started', id: request.id });
    const result = await replayMigration(instance, migrations, index, {
      severities: request.severities,
      policy: request.policy,
      docsBase: request.docsBase,
      observeLocks: request.observeLocks,
      keepUp: request.keepUp,
      isCancelled,
      // PGlite blocks this thread while a statement runs: the host names it if the time runs out.
      onStatement: (section, statement) =>
        post({ kind: 'running', id: request.id, path: section.file.path, start: statement.start, end: statement.end, text: statement.text.slice(0, 200) }),
    });
    post({
      kind: 'result',
      id: request.id,
      result: {
        version: result.version,
        findings: result.findings.map(({ file, fixes: _fixes, ...finding }) => ({ ...finding, path: file.path })),
        observedLocks: result.observedLocks,
        files: [migrations[index].up, migrations[index].down, migrations[index].verify].flatMap((s) => (s ? [s.file.path] : [])),
        upPath: migrations[index].up.file.path,
        completed: result.completed,
        notes: result.notes,
        durationMs: result.durationMs,
      },
    });
  } catch (error) {
    if (error instanceof CancelledError) return post({ kind: 'cancelled', id: request.id });
    post({ kind: 'failed', id: request.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    cancelled.delete(request.id);
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  if (request.kind === 'cancel') {
    cancelled.add(request.id);
    return;
  }
  queue = queue.then(() => check(request));
});
