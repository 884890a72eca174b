/**
 * Seeded generators of SQL that attacks the parser: expressions deep enough to overflow its stack,
 * single-line expressions of hundreds of kilobytes, deeply parenthesised and nested SELECTs, and
 * random bytes. The same seed always gives the same documents, so a failure can be replayed.
 */
import { randomBytes } from 'node:crypto';

/** mulberry32: a small, fast, seedable generator (Math.random cannot be seeded). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileDocument {
  kind: string;
  text: string;
}

type Generator = (random: () => number) => HostileDocument;

const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** `SELECT 0 + 1 + … ;`: valid SQL whose tree is as deep as it has terms. */
export function longSum(terms: number): string {
  return `SELECT ${Array.from({ length: terms }, (_, i) => i).join(' + ')};\n`;
}

export const generators: Record<string, Generator> = {
  deepExpression: (random) => ({ kind: 'deep expression', text: longSum(between(random, 15_000, 40_000)) }),
  longLine: (random) => {
    // About 600 KB on one line: column arithmetic, as generated SQL looks.
    const parts: string[] = [];
    let length = 0;
    for (let i = 0; length < 600_000; i++) {
      const part = `coalesce(col_${i % 97}, ${between(random, 0, 9999)}) * ${i}`;
      parts.push(part);
      length += part.length + 3;
    }
    return { kind: '600 KB single-line expression', text: `SELECT ${parts.join(' + ')} FROM t;` };
  },
  deepParentheses: (random) => {
    const depth = between(random, 2_000, 20_000);
    return { kind: 'deeply parenthesised SELECT', text: `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};\n` };
  },
  nestedSelects: (random) => {
    const depth = between(random, 500, 5_000);
    return { kind: 'nested SELECTs', text: `SELECT * FROM ${'(SELECT * FROM '.repeat(depth)}t${') s'.repeat(depth)};\n` };
  },
  randomBytes: (random) => {
    const bytes = randomBytes(between(random, 1_000, 50_000));
    // Seeded content: overwrite the crypto bytes with the generator's own.
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return { kind: 'random bytes', text: bytes.toString('latin1') };
  },
};

/** `count` hostile documents from `seed`, cycling through every generator. */
export function hostileDocuments(seed: number, count: number): HostileDocument[] {
  const random = seededRandom(seed);
  const kinds = Object.values(generators);
  return Array.from({ length: count }, (_, i) => kinds[(i + Math.floor(random() * kinds.length)) % kinds.length](random));
}
