// Entry point of the extension (dist/extension.js); built by the client work.
export function activate(): void {}
export function deactivate(): void {}
