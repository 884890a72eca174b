/**
 * A node of libpg-query's parse tree as the rules walk it. The tree is JSON whose shape depends on
 * the node type, and the code probes it field by field (`node.IndexStmt?.concurrent`), so it is
 * typed loosely — here, once, instead of a loose type per file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- probed field by field; the one loose type of the parse tree
export type AstNode = Record<string, any>;

/**
 * What `compute` makes of a statement's tree, once per tree node (kept in `cache` while the tree
 * lives): an editor's re-lint keeps the trees of the statements an edit did not touch, and rules
 * ask about every statement on each keystroke. `none` when there is no tree. Read-only.
 */
export function perNode<T>(cache: WeakMap<object, T>, node: object | undefined, compute: (node: AstNode) => T, none: T): T {
  if (!node) return none;
  let value = cache.get(node);
  if (value === undefined) cache.set(node, (value = compute(node as AstNode)));
  return value;
}

/**
 * The type name of a tree node (`CreateStmt`, `IndexStmt`...): its one key. Read with `for ... in`
 * rather than `Object.keys(node)[0]`, which builds an array for every statement on every re-lint.
 */
export function nodeTypeName(node: object | undefined): string | undefined {
  for (const key in node) return key;
  return undefined;
}
