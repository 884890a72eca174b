// Mocha reporter: mocha's spec output, then the one plain line CI reads: "N passed, N failed".
// A failure's message is also printed right under its title as it happens, because CI may show
// only part of a long log, and the numbered details Spec prints at the end may not be in it.
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.on(EVENT_TEST_FAIL, (_test, error) => {
      const first = String(error?.message ?? error)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 6)
        .join(' | ');
      process.stdout.write(`       ↳ ${first.slice(0, 400)}\n`);
    });
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      // Printed after Spec's own epilogue so it is the last line of the run.
      process.on('exit', () => {
        process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
      });
    });
  }
}
module.exports = SummaryReporter;
