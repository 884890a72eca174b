/**
 * The application side of the live expand/contract test, as its own process with its own
 * connection: it keeps inserting and updating rows through whichever statements the parent says
 * the deployed code uses now, timing every statement and counting every failure, and counts the
 * rows it wrote per labelled window (for the benchmark's rows/s).
 *
 * Messages from the parent: {type: 'mode', ops}, {type: 'mark', label}, {type: 'stop'}.
 * To the parent: {type: 'ready'}, then {type: 'stats', ...} after stop.
 */
import { Client } from 'pg';

export interface WriteOp {
  /** $1 id, $2 value. */
  insert: string;
  /** $1 id, $2 value. */
  update: string;
  /** What $2 is: text, an integer that fits in int4, one that does not, text that is NULL every other write, or a two-word name. */
  value: 'text' | 'int' | 'bigint' | 'nullable-text' | 'name';
}

export interface WriterStats {
  writes: number;
  failures: number;
  errors: string[];
  maxLatencyMs: number;
  windows: Array<{ label: string; writes: number; ms: number }>;
  /** The last value written per id (null for a NULL write). */
  written: Array<[number, string | null]>;
}

export type WriterMessage = { type: 'mode'; ops: WriteOp[] } | { type: 'mark'; label: string } | { type: 'stop' };

const FIRST_ID = 1_000_000;

function valueOf(kind: WriteOp['value'], id: number, n: number): string | null {
  switch (kind) {
    case 'int':
      return String((id % 1000) * 1000 + (n % 1000));
    case 'bigint':
      return String(3_000_000_000 + n);
    case 'nullable-text':
      return n % 2 ? null : `nick-${id}-${n}`;
    case 'name':
      return `Given${id} Family${n}`;
    default:
      return `w${id}-${n}@example.com`;
  }
}

async function main(): Promise<void> {
  const client = new Client({ connectionString: process.env.LIVE_WRITER_URL, password: process.env.PGPASSWORD });
  await client.connect();
  let ops: WriteOp[] = [];
  let stopping = false;
  const stats: WriterStats = { writes: 0, failures: 0, errors: [], maxLatencyMs: 0, windows: [], written: [] };
  const written = new Map<number, string | null>();
  let window = { label: 'start', writes: 0, started: performance.now() };
  const closeWindow = () => stats.windows.push({ label: window.label, writes: window.writes, ms: performance.now() - window.started });
  process.on('message', (m: WriterMessage) => {
    if (m.type === 'mode') ops = m.ops;
    else if (m.type === 'mark') {
      closeWindow();
      window = { label: m.label, writes: 0, started: performance.now() };
    } else stopping = true;
  });
  process.send!({ type: 'ready' });
  let n = 0;
  let nextId = FIRST_ID;
  const ids: number[] = [];
  while (!stopping) {
    if (!ops.length) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const op = ops[n % ops.length];
    n++;
    const insert = ids.length < 50 || n % 2 === 0;
    const id = insert ? nextId : ids[(n * 7919) % ids.length];
    const value = valueOf(op.value, id, n);
    const started = performance.now();
    try {
      await client.query(insert ? op.insert : op.update, [id, value]);
      if (insert) {
        ids.push(id);
        nextId++;
      }
      written.set(id, value);
      stats.writes++;
      window.writes++;
    } catch (error) {
      stats.failures++;
      if (stats.errors.length < 5) stats.errors.push(`${insert ? op.insert : op.update}: ${(error as Error).message}`);
    }
    stats.maxLatencyMs = Math.max(stats.maxLatencyMs, performance.now() - started);
  }
  closeWindow();
  stats.written = [...written];
  await client.end();
  process.send!({ type: 'stats', stats }, () => process.exit(0));
}

if (require.main === module) {
  main().catch((error) => {
    process.send?.({ type: 'error', message: (error as Error).message });
    process.exit(1);
  });
}
