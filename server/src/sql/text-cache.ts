/**
 * Results computed from a piece of SQL text, kept by the text. An editor re-lints the whole file on
 * every keystroke while only one statement changed; recomputing the other thousand statements'
 * parse trees or tokens would cost most of the re-lint. Values are shared between callers, so they
 * must be treated as read-only. Least recently used entries go first; very long texts are not kept.
 */
export class TextCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly maxTextLength = 64 * 1024,
  ) {}

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
    this.entries.delete(text);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(text, value);
  }
}
