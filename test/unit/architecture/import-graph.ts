/**
 * The import graph of a source tree, read with the TypeScript parser: static imports and
 * re-exports (type-only ones too: a circle of types is still a circle a reader must untangle),
 * `require('./x')`, `import('./x')` and `typeof import('./x')`. Only relative specifiers are
 * followed; packages are outside the graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Both relative to the root, with `/`. */
  from: string;
  to: string;
  line: number;
  specifier: string;
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

/** Every relative specifier in one file's text, with its 1-based line. */
export function importSpecifiers(fileName: string, text: string): Array<{ specifier: string; line: number }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Array<{ specifier: string; line: number }> = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')))
      add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((f) => f.specifier.startsWith('.'));
}

/** The file a relative specifier names: `x.ts`, or `x/index.ts`; undefined when neither exists. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Every import between files under `root` (imports leaving the root are left out). */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    for (const { specifier, line } of importSpecifiers(file, readFileSync(file, 'utf8'))) {
      const target = resolveSpecifier(file, specifier);
      if (!target) throw new Error(`${toPosix(relative(root, file))}:${line}: cannot resolve '${specifier}'`);
      const to = relative(root, target);
      if (to.startsWith('..')) continue;
      edges.push({ from: toPosix(relative(root, file)), to: toPosix(to), line, specifier });
    }
  }
  return edges;
}

/** The floor a file belongs to: its first folder under the root, or the file itself at the root. */
export const floorOf = (path: string) => path.split('/')[0];

/** Imports from one floor to another that the floor's row does not allow. */
export function upwardImports(edges: readonly ImportEdge[], allowed: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const from = floorOf(edge.from);
    const to = floorOf(edge.to);
    if (from === to) continue;
    const row = allowed.get(from);
    if (!row) problems.push(`${edge.from}:${edge.line}: ${from} has no row in the floors table`);
    else if (!row.has(to)) problems.push(`${edge.from}:${edge.line} imports ${edge.to}: ${from} may not import ${to}`);
  }
  return problems;
}

/** Every circle of files importing each other (strongly connected components), each as a path that closes on itself. */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's algorithm, iterative-free: the graph is a few hundred files deep at most.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!order.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) circles.push(circleThrough(component, next));
    }
  };
  for (const v of [...next.keys()].sort()) if (!order.has(v)) connect(v);
  return circles;
}

/** One concrete circle inside a strongly connected component, for the message: a → b → a. */
function circleThrough(component: string[], next: ReadonlyMap<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  // Breadth-first from start back to start, inside the component.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, component[0]];
}
