export interface CategoryLink {
  id: string;
  parentId: string | null;
}

export type CategoryNode<T extends CategoryLink> = T & { children: CategoryNode<T>[] };

/**
 * Nests a flat list of categories into trees, roots first, siblings ordered by `compare`. A category
 * whose parent is missing from the list is treated as a root, so nothing is ever dropped.
 */
export function buildCategoryTree<T extends CategoryLink>(
  categories: readonly T[],
  compare: (a: T, b: T) => number,
): CategoryNode<T>[] {
  const nodes = new Map<string, CategoryNode<T>>();
  for (const category of categories) nodes.set(category.id, { ...category, children: [] });
  const roots: CategoryNode<T>[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: CategoryNode<T>[]) => {
    list.sort(compare);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}

/**
 * The cycle that giving category `id` the parent `parentId` would close, as the chain of ids from `id`
 * back to itself (e.g. `[a, c, b, a]` when b's parent is a and c's parent is b), or null when the move
 * keeps the categories a forest.
 */
export function findCycle(
  categories: readonly CategoryLink[],
  id: string,
  parentId: string | null,
): string[] | null {
  if (parentId === null) return null;
  if (parentId === id) return [id, id];
  const parents = new Map(categories.map((category) => [category.id, category.parentId]));
  const chain = [parentId];
  const visited = new Set<string>([parentId]);
  let current: string | null | undefined = parents.get(parentId);
  while (current !== null && current !== undefined) {
    if (current === id) return [id, ...chain, id];
    // A cycle that does not pass through `id` is not this move's doing; stop walking it.
    if (visited.has(current)) return null;
    visited.add(current);
    chain.push(current);
    current = parents.get(current);
  }
  return null;
}

/** `rootId` and the ids of every category below it. */
export function subtreeIds(categories: readonly CategoryLink[], rootId: string): string[] {
  const children = new Map<string, string[]>();
  for (const category of categories) {
    if (category.parentId === null) continue;
    const list = children.get(category.parentId) ?? [];
    list.push(category.id);
    children.set(category.parentId, list);
  }
  const result: string[] = [];
  const seen = new Set<string>();
  const stack = [rootId];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    result.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return result;
}
