/**
 * The editor's `tidemark.*` settings the server reads: per-rule severities (`tidemark.lint.rules`,
 * layered over tidemark.json's) and `tidemark.check.onType`. Pulled with workspace/configuration
 * where the client supports it, else taken from didChangeConfiguration's pushed settings.
 */
import type { ClientCapabilities, Connection } from 'vscode-languageserver';
import { SeveritySetting } from '../migrations/config';
import type { Log } from './lint-scheduler';

export interface EditorSettings {
  rules: Record<string, SeveritySetting>;
  checkOnType: boolean;
}

export async function readEditorSettings(connection: Connection, capabilities: ClientCapabilities, pushed: unknown, log: Log): Promise<EditorSettings> {
  let rules: unknown;
  let onType: unknown;
  if (capabilities.workspace?.configuration) {
    try {
      [rules, onType] = await connection.workspace.getConfiguration([{ section: 'tidemark.lint.rules' }, { section: 'tidemark.check.onType' }]);
    } catch (error) {
      log('reading the tidemark.lint.rules setting failed', error);
    }
  } else {
    const settings = (pushed as { tidemark?: { lint?: { rules?: unknown }; check?: { onType?: unknown } } } | undefined)?.tidemark;
    rules = settings?.lint?.rules;
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
  return { rules: valid, checkOnType: onType === true };
}
