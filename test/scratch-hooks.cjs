// Loaded by mocha with --require (test/run-tests.mjs): removes the scratch folders each test made
// when it ends. The hooks live in test/support/scratch.ts, compiled by tsc -b to out/.
exports.mochaHooks = require('../out/test/support/scratch.js').scratchHooks;
