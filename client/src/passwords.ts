/**
 * Environment passwords live only in VS Code's SecretStorage (never in settings, logs or the
 * config). The server asks through PasswordRequest when a connection needs one; a rejected
 * password is forgotten so the next attempt asks again.
 */
import * as vscode from 'vscode';

const key = (environment: string) => `tidemark.password:${environment}`;

export class PasswordStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The stored password, else one typed by the user (stored for next time); undefined if cancelled. */
  async passwordFor(environment: string, target: string): Promise<string | undefined> {
    const stored = await this.secrets.get(key(environment));
    if (stored !== undefined) return stored;
    return this.ask(environment, target);
  }

  async ask(environment: string, target: string): Promise<string | undefined> {
    const password = await vscode.window.showInputBox({
      title: `Password for ${environment}`,
      prompt: `Password for ${target}. Tidemark keeps it in VS Code's secret storage only.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    await this.secrets.store(key(environment), password);
    this.log.info(`stored a password for ${environment} in secret storage`);
    return password;
  }

  async forget(environment: string): Promise<boolean> {
    const had = (await this.secrets.get(key(environment))) !== undefined;
    await this.secrets.delete(key(environment));
    if (had) this.log.info(`forgot the stored password for ${environment}`);
    return had;
  }
}
