// Loaded by mocha with --require (test/run-tests.mjs): after each test, removes what it made
// (scratch folders, test databases). The hooks live in test/support/test-cleanup.ts, compiled by
// tsc -b to out/.
exports.mochaHooks = require('../out/test/support/test-cleanup.js').testCleanupHooks;
