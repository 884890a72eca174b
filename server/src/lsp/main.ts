// Entry point of the language server process (dist/server.js); built by the LSP work.
export {};
