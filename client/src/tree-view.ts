/** The Tidemark tree: projects (only when there are several), environments, migrations. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { EnvironmentStatus, MigrationStatus } from '../../server/src/protocol';
import { environmentRow, migrationRow, newestAppliedVersion } from './tree-model';
import type { ProjectStatus, StatusStore } from './status-store';

export type TidemarkNode =
  | { kind: 'project'; root: string; project: ProjectStatus }
  | { kind: 'environment'; root: string; environment: string; status: EnvironmentStatus }
  | { kind: 'migration'; root: string; environment: string; migration: MigrationStatus; newestApplied: boolean };

export class TidemarkTreeProvider implements vscode.TreeDataProvider<TidemarkNode> {
  private readonly changed = new vscode.EventEmitter<TidemarkNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: StatusStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: TidemarkNode): TidemarkNode[] {
    if (!node) {
      const projects = this.store.all;
      // A lone healthy project needs no row of its own; an unreadable one shows why.
      if (projects.length === 1 && !projects[0].error) return this.projectChildren(projects[0]);
      return projects.map((project) => ({ kind: 'project', root: project.root, project }));
    }
    if (node.kind === 'project') return this.projectChildren(node.project);
    if (node.kind === 'environment') {
      const newest = newestAppliedVersion(node.status);
      return node.status.migrations.map((migration) => ({
        kind: 'migration',
        root: node.root,
        environment: node.environment,
        migration,
        newestApplied: migration.version === newest,
      }));
    }
    return [];
  }

  private projectChildren(project: ProjectStatus): TidemarkNode[] {
    return project.environments.map((status) => ({ kind: 'environment', root: project.root, environment: status.environment.name, status }));
  }

  getTreeItem(node: TidemarkNode): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(path.basename(node.root), vscode.TreeItemCollapsibleState.Expanded);
      item.description = node.project.error ? `error: ${node.project.error.split('\n', 1)[0]}` : node.root;
      item.iconPath = new vscode.ThemeIcon(node.project.error ? 'error' : 'folder');
      item.tooltip = node.project.error ?? node.root;
      item.contextValue = 'project';
      item.id = `project:${node.root}`;
      return item;
    }
    if (node.kind === 'environment') {
      const row = environmentRow(node.status);
      const hasRows = node.status.migrations.length > 0;
      const item = new vscode.TreeItem(row.label, hasRows ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      // The tree remembers an item's collapse state by id: a row that was empty while loading
      // would stay collapsed once its migrations arrive, so the empty row gets its own id.
      item.id = `env:${node.root}:${node.environment}${hasRows ? '' : ':empty'}`;
      item.description = row.description;
      item.tooltip = markdown(row.tooltip);
      item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
      item.contextValue = row.contextValue;
      if (this.store.isLoading(node.root, node.environment)) {
        item.description = 'loading…';
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        item.contextValue = 'environment loading';
      }
      return item;
    }
    const row = migrationRow(node.migration, node.newestApplied);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `migration:${node.root}:${node.environment}:${node.migration.version}`;
    item.description = row.description;
    item.tooltip = markdown(row.tooltip);
    item.iconPath = new vscode.ThemeIcon(row.icon.id, new vscode.ThemeColor(row.icon.color));
    item.contextValue = row.contextValue;
    if (node.migration.files) {
      // No resourceUri: the Explorer badge summarises every environment and would mislead here.
      item.command = { command: 'vscode.open', title: 'Open Migration', arguments: [vscode.Uri.file(node.migration.files.up), { preview: true }] };
    }
    return item;
  }
}

function markdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, true);
  md.isTrusted = false;
  return md;
}
