/** A text file on disk or open in an editor, with line/column conversion. */
export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    /** Absolute path (for editor documents: the file-system path of the URI). */
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      // indexOf finds each newline far faster than a character loop (an editor builds this for
      // every re-lint of the text, and diagnostics need it).
      const starts = [0];
      for (let nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n', nl + 1)) starts.push(nl + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** 0-based line and character (UTF-16 units) of an offset, as LSP positions count them. */
  positionAt(offset: number): { line: number; character: number } {
    const starts = this.starts();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - starts[lo] };
  }

  offsetAt(position: { line: number; character: number }): number {
    const starts = this.starts();
    if (position.line >= starts.length) return this.text.length;
    return Math.min(starts[Math.max(0, position.line)] + position.character, this.text.length);
  }
}
