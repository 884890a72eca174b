// A language server driven over stdio the way an editor drives it, for the LSP benchmarks
// (bench/lint-workspace.mjs): open, edit, wait for publishDiagnostics, read the process's CPU time
// and resident memory from /proc. Squawk's server answers pulled diagnostics (`pull`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');

/** CPU time (user + system, ms) of a running process from /proc on Linux; undefined elsewhere. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime] = fields.slice(11, 13).map(Number);
    return ((utime + stime) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in MB (Linux), undefined elsewhere. */
export function rssMb(pid, field = 'VmRSS') {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** The process's peak resident memory so far (its own, not inherited: VmHWM). */
export function peakRssMb(pid) {
  return rssMb(pid, 'VmHWM');
}

/**
 * Starts a server and initializes it. `settings`: answers to workspace/configuration by section
 * (e.g. { 'tidemark.lint.scope': 'workspace' }). `onPublish(params, atMs)` sees every push.
 */
export async function startServer(command, args, folder, { initializationOptions, settings = {}, pull = false, onPublish } = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.resume();
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const listeners = [];
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (params) => {
    onPublish?.(params, performance.now());
    for (const l of [...listeners]) l(params);
  });
  connection.onRequest(rpc.RegistrationRequest.type, () => undefined);
  connection.onRequest(rpc.ConfigurationRequest.type, (params) => params.items.map((item) => settings[item.section] ?? null));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  const startedAt = performance.now();
  await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'bench' }],
    initializationOptions,
    capabilities: {
      textDocument: { publishDiagnostics: { versionSupport: true }, diagnostic: { dynamicRegistration: false } },
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
    },
  });
  await connection.sendNotification(rpc.InitializedNotification.type, {});
  const versions = new Map();
  const server = {
    child,
    connection,
    startedAt,
    /** Resolves with the diagnostics of `uri` accepted by `accept`: pushed, or pulled right away. */
    waitFor(uri, accept = () => true) {
      if (pull) {
        return new Promise((resolve) => setImmediate(resolve)).then(() =>
          connection.sendRequest(rpc.DocumentDiagnosticRequest.type, { textDocument: { uri } }).then((report) => ({ uri, diagnostics: report.items ?? [] })),
        );
      }
      return new Promise((resolve) => {
        const listener = (params) => {
          if (params.uri !== uri || !accept(params)) return;
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(params);
        };
        listeners.push(listener);
      });
    },
    /** didOpen → the first diagnostics for that document version. */
    async open(path, text) {
      const uri = pathToFileURL(path).href;
      versions.set(uri, 1);
      const cpuBefore = cpuMs(child.pid);
      const start = performance.now();
      const done = server.waitFor(uri, (p) => p.version === undefined || p.version === 1);
      await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text } });
      const params = await done;
      return { uri, time: performance.now() - start, cpu: cpuBefore === undefined ? undefined : cpuMs(child.pid) - cpuBefore, count: params.diagnostics.length };
    },
    /** One incremental change → the diagnostics for the new version. */
    async edit(uri, range, text) {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      const cpuBefore = cpuMs(child.pid);
      const start = performance.now();
      const done = server.waitFor(uri, (p) => p.version === undefined || p.version === version);
      await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
      const params = await done;
      return { time: performance.now() - start, cpu: cpuBefore === undefined ? undefined : cpuMs(child.pid) - cpuBefore, count: params.diagnostics.length };
    },
    close(uri) {
      return connection.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    async stop() {
      try {
        await Promise.race([connection.sendRequest(rpc.ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        const exited = new Promise((r) => child.once('exit', r));
        await connection.sendNotification(rpc.ExitNotification.type);
        // Let it exit by itself (a --cpu-prof profile is written on exit), then make sure.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      } catch {
        // Already gone.
      }
      connection.dispose();
      child.kill();
    },
  };
  return server;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const ms = (x) => (x === undefined ? '-' : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
export const mb = (x) => (x === undefined ? '-' : `${x.toFixed(0)} MB`);
export const ratio = (a, b) => (a === undefined || b === undefined || !b ? '-' : `${(a / b).toFixed(2)}×`);
