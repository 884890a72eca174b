/**
 * A lint thread of `tidemark lint` (lint-threads.ts starts it): dist/cli-lint-worker.js, which
 * loads the lint bundle (dist/cli-lint.js) as the command does (esbuild.mjs routes this import
 * like main.ts's, through cli/compile-cache.ts), so the package ships the engine's code once.
 */
import { serveLintThread } from './lint-commands';

// A failure ends the thread as an uncaught error, which the command's thread reports (lint-threads.ts).
void serveLintThread();
