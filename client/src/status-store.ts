/**
 * The latest status of every environment of every Tidemark project in the workspace, fetched from
 * the language server. The tree, code lenses, status bar and file badges all read it, so one
 * refresh updates them together.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ListEnvironmentsRequest, StatusRequest, type EnvironmentInfo, type EnvironmentStatus } from '../../server/src/protocol';

export interface ProjectStatus {
  root: string;
  environments: EnvironmentStatus[];
  /** The config could not be read, or the server could not answer. */
  error?: string;
}

export const restrictedModeMessage = 'not read in Restricted Mode: trust this workspace to let Tidemark connect to its databases';

export class StatusStore implements vscode.Disposable {
  private projects: ProjectStatus[] = [];
  /** Until the first load ends, the view says the server is starting: that load always tells it, even when it found nothing. */
  private loadedOnce = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly client: LanguageClient,
    private readonly findRoots: () => Promise<string[]>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get all(): readonly ProjectStatus[] {
    return this.projects;
  }

  environmentsOf(root: string): EnvironmentStatus[] {
    return this.projects.find((p) => p.root === root)?.environments ?? [];
  }

  /** Every environment status across projects, for lookups by file. */
  allEnvironments(): EnvironmentStatus[] {
    return this.projects.flatMap((p) => p.environments);
  }

  /** Coalesces bursts (a file watcher firing per file) into at most one extra round trip. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Whether an environment's first status is still on its way (PGlite starts in seconds). */
  isLoading(root: string, environment: string): boolean {
    return this.loading.has(`${root}\0${environment}`);
  }

  private readonly loading = new Set<string>();

  private async load(): Promise<void> {
    const roots = await this.findRoots();
    const projects: ProjectStatus[] = [];
    const fetches: Promise<void>[] = [];
    for (const root of roots) {
      try {
        const listed = await this.client.sendRequest(ListEnvironmentsRequest.type, { root });
        if (listed.configError) {
          projects.push({ root, environments: [], error: listed.configError });
          continue;
        }
        // Environments show at once (the previous status, or "loading" the first time); each
        // status replaces its row as it arrives, so a slow server holds up only its own row.
        const previous = this.projects.find((p) => p.root === root)?.environments ?? [];
        const project: ProjectStatus = {
          root,
          environments: listed.environments.map((environment) => {
            const known = previous.find((s) => s.environment.name === environment.name);
            if (known) return { ...known, environment };
            this.loading.add(`${root}\0${environment.name}`);
            return { environment, migrations: [] };
          }),
        };
        projects.push(project);
        listed.environments.forEach((environment, index) => {
          fetches.push(
            this.statusOf(root, environment).then((status) => {
              const wasLoading = this.loading.delete(`${root}\0${environment.name}`);
              const same = !wasLoading && JSON.stringify(project.environments[index]) === JSON.stringify(status);
              project.environments[index] = status;
              if (!same) this.changed.fire();
            }),
          );
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn(`environments of ${root}: ${message}`);
        projects.push({ root, environments: [], error: message });
      }
    }
    // Redraw only what changed: a refresh runs after every command and file change, and redrawing
    // the tree under the pointer can turn a click on a row's inline action into one without its row.
    const same = this.loadedOnce && JSON.stringify(projects) === JSON.stringify(this.projects);
    this.projects = projects;
    this.loadedOnce = true;
    if (!same) this.changed.fire();
    await Promise.all(fetches);
  }

  /** One request per environment: an unreachable server must not hide the others. */
  private async statusOf(root: string, environment: EnvironmentInfo): Promise<EnvironmentStatus> {
    // Reading a status connects to the configured server: an untrusted tidemark.json must not
    // make the editor contact hosts (or ask for passwords) just by opening the folder.
    if (!vscode.workspace.isTrusted) return { environment, migrations: [], error: restrictedModeMessage };
    try {
      const [status] = await this.client.sendRequest(StatusRequest.type, { root, environment: environment.name });
      return status ?? { environment, migrations: [], error: 'the language server returned no status' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn(`status of ${environment.name} in ${root}: ${message}`);
      return { environment, migrations: [], error: message };
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
