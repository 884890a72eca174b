/**
 * The editor's `tidemark.*` settings the server reads: per-rule severities (`tidemark.lint.rules`,
 * layered over tidemark.json's), `tidemark.lint.scope` and `tidemark.check.onType`. Pulled with workspace/configuration
 * where the client supports it, else taken from didChangeConfiguration's pushed settings.
 */
import type { ClientCapabilities, Connection } from 'vscode-languageserver';
import { SeveritySetting } from '../migrations/config';
import type { Log } from './lint-scheduler';

/** Which migrations the server lints: every one of the workspace's projects, or the open files only. */
export type LintScope = 'workspace' | 'openFiles';
export const DEFAULT_LINT_SCOPE: LintScope = 'workspace';

export interface EditorSettings {
  rules: Record<string, SeveritySetting>;
  scope: LintScope;
  checkOnType: boolean;
}

export async function readEditorSettings(connection: Connection, capabilities: ClientCapabilities, pushed: unknown, log: Log): Promise<EditorSettings> {
  let rules: unknown;
  let onType: unknown;
  let scope: unknown;
  if (capabilities.workspace?.configuration) {
    try {
      [rules, onType, scope] = await connection.workspace.getConfiguration([
        { section: 'tidemark.lint.rules' },
        { section: 'tidemark.check.onType' },
        { section: 'tidemark.lint.scope' },
      ]);
    } catch (error) {
      log('reading the tidemark.lint.rules setting failed', error);
    }
  } else {
    const settings = (pushed as { tidemark?: { lint?: { rules?: unknown; scope?: unknown }; check?: { onType?: unknown } } } | undefined)?.tidemark;
    rules = settings?.lint?.rules;
    scope = settings?.lint?.scope;
    onType = settings?.check?.onType;
  }
  const valid: Record<string, SeveritySetting> = {};
  if (rules && typeof rules === 'object') {
    for (const [id, value] of Object.entries(rules)) {
      const parsed = SeveritySetting.safeParse(value);
      if (parsed.success) valid[id] = parsed.data;
      else log(`tidemark.lint.rules: "${id}" has an invalid severity ${JSON.stringify(value)}; expected off, error, warning, info or hint`);
    }
  }
  if (scope !== undefined && scope !== null && scope !== 'workspace' && scope !== 'openFiles')
    log(`tidemark.lint.scope: ${JSON.stringify(scope)} is not a scope; expected "workspace" or "openFiles" (using "${DEFAULT_LINT_SCOPE}")`);
  return { rules: valid, scope: scope === 'openFiles' ? 'openFiles' : DEFAULT_LINT_SCOPE, checkOnType: onType === true };
}
