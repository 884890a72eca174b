/**
 * Keeps WebAssembly code on V8's baseline compiler (Liftoff), without tiering hot functions up to
 * the optimising compiler. Imported for its effect, before any WASM module is compiled.
 *
 * Why: the parser's WASM is 1.7 MB, and a lint run or a newly opened file calls the same parser
 * functions thousands of times within a second, so V8 spends that second recompiling them with
 * TurboFan, on both cores, for code that is about to finish. Measured on a 5,000-statement file
 * (2-core machine, cold process): the whole-file parse plus every PL/pgSQL body took 0.55 s of
 * CPU with tiering and 0.20 s with Liftoff only; a warm server re-parsing the same file is about
 * 15% slower on Liftoff code, a trade the editor never notices and the CLI always wins.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
