/** A file's lines with their offsets, for readers that read their tool's markers line by line (goose, Liquibase). */

export interface Line {
  start: number;
  /** End of the line's text, before its \r\n or \n. */
  end: number;
  /** Start of the next line. */
  next: number;
  text: string;
}

/** Lines as Go's bufio.ScanLines cuts them (and as Java's readLine does, but for a lone \r): at \n, dropping one \r before it. */
export function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    const end = stop > start && text[stop - 1] === '\r' ? stop - 1 : stop;
    lines.push({ start, end, next: nl < 0 ? text.length : nl + 1, text: text.slice(start, end) });
    start = nl < 0 ? text.length : nl + 1;
  }
  return lines;
}
