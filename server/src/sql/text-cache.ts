/**
 * Results computed from a piece of SQL text, kept by the text. An editor re-lints the whole file on
 * every keystroke while only one statement changed; recomputing the other thousand statements'
 * parse trees or tokens would cost most of the re-lint. Values are shared between callers, so they
 * must be treated as read-only. Least recently used entries go first; very long texts are not kept.
 *
 * The cache is bounded by the total length of its texts as well as by its count of entries: what
 * is kept for a text (a parse tree, its tokens) grows with the text, and a language server that
 * saw a few hundred generated or hostile documents would otherwise keep hundreds of MB of trees
 * of documents long closed.
 */
export class TextCache<T> {
  private readonly entries = new Map<string, T>();
  private totalChars = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxTextLength = 64 * 1024,
    /** The most text kept at once, in characters. */
    private maxTotalChars = 2 * 1024 * 1024,
  ) {
    everyCache.add(this as TextCache<unknown>);
  }

  /** Lowers the most text kept at once (limitTextCaches). */
  limit(maxTotalChars: number): void {
    this.maxTotalChars = Math.min(this.maxTotalChars, maxTotalChars);
    while (this.entries.size > 0 && this.totalChars > this.maxTotalChars) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.totalChars -= oldest.length;
    }
  }

  /** Whether any text is kept at all (limit(0) keeps none worth asking for). */
  keepsText(): boolean {
    return this.maxTotalChars > 0;
  }

  has(text: string): boolean {
    return this.entries.has(text);
  }

  /** The cached value, or `compute`'s, kept unless `keep` says it is not to be reused. */
  get(text: string, compute: (text: string) => T, keep?: (value: T) => boolean): T {
    const cached = this.entries.get(text);
    if (cached !== undefined) {
      // Re-insert so it counts as recently used (a Map keeps insertion order).
      this.entries.delete(text);
      this.entries.set(text, cached);
      return cached;
    }
    const value = compute(text);
    if (!keep || keep(value)) this.set(text, value);
    return value;
  }

  /** Stores a value computed elsewhere (e.g. as a by-product of other work). */
  set(text: string, value: T): void {
    if (text.length > this.maxTextLength) return;
    if (this.entries.delete(text)) this.totalChars -= text.length;
    while (this.entries.size > 0 && (this.entries.size >= this.capacity || this.totalChars + text.length > this.maxTotalChars)) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.totalChars -= oldest.length;
    }
    this.entries.set(text, value);
    this.totalChars += text.length;
  }
}

const everyCache = new Set<TextCache<unknown>>();

/**
 * Keeps at most `maxTotalChars` of text in every cache, for a process that reads each text about
 * once: `tidemark lint` over a repository walks thousands of files in order and never comes back
 * to one, and the editor-sized caches held the trees and tokens of thousands of statements, which
 * the garbage collector copied into the old generation and marked for the rest of the run.
 */
export function limitTextCaches(maxTotalChars: number): void {
  for (const cache of everyCache) cache.limit(maxTotalChars);
}
