/**
 * Entry point of the language server process (dist/server.js), started by the VS Code client
 * over stdio (`node dist/server.js --stdio`).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// Nothing a user types may take the server down: log what escaped a handler and keep serving.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

startServer(connection, { bundleDir: __dirname });
connection.listen();
