/**
 * The latest status of every environment of every Tidemark project in the workspace, fetched from
 * the language server. The tree, code lenses, status bar and file badges all read it, so one
 * refresh updates them together.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ListEnvironmentsRequest, StatusRequest, type EnvironmentStatus } from '../../server/src/protocol';

export interface ProjectStatus {
  root: string;
  environments: EnvironmentStatus[];
  /** The config could not be read, or the server could not answer. */
  error?: string;
}

export class StatusStore implements vscode.Disposable {
  private projects: ProjectStatus[] = [];
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

  private async load(): Promise<void> {
    const roots = await this.findRoots();
    const projects: ProjectStatus[] = [];
    for (const root of roots) {
      try {
        const listed = await this.client.sendRequest(ListEnvironmentsRequest.type, { root });
        if (listed.configError) {
          projects.push({ root, environments: [], error: listed.configError });
          continue;
        }
        // One request per environment: an unreachable server must not hide the others.
        const environments = await Promise.all(listed.environments.map(async (environment): Promise<EnvironmentStatus> => {
          try {
            const [status] = await this.client.sendRequest(StatusRequest.type, { root, environment: environment.name });
            return status ?? { environment, migrations: [], error: 'the language server returned no status' };
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            this.log.warn(`status of ${environment.name} in ${root}: ${message}`);
            return { environment, migrations: [], error: message };
          }
        }));
        projects.push({ root, environments });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn(`status of ${root}: ${message}`);
        projects.push({ root, environments: [], error: message });
      }
    }
    this.projects = projects;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
