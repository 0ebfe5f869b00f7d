import { describe, expect, it } from 'vitest';
import { buildCategoryTree, findCycle, subtreeIds } from './category-tree.js';

// home ─┬─ furniture ── desks
//       └─ lighting
// garden
const categories = [
  { id: 'desks', parentId: 'furniture', name: 'Desks' },
  { id: 'garden', parentId: null, name: 'Garden' },
  { id: 'furniture', parentId: 'home', name: 'Furniture' },
  { id: 'lighting', parentId: 'home', name: 'Lighting' },
  { id: 'home', parentId: null, name: 'Home' },
];
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe('buildCategoryTree', () => {
  it('nests categories under their parents, siblings in order', () => {
    const tree = buildCategoryTree(categories, byName);
    expect(tree.map((node) => node.id)).toEqual(['garden', 'home']);
    const home = tree[1]!;
    expect(home.children.map((node) => node.id)).toEqual(['furniture', 'lighting']);
    expect(home.children[0]!.children.map((node) => node.id)).toEqual(['desks']);
    expect(home.children[0]!.children[0]!.children).toEqual([]);
  });

  it('keeps a category whose parent is missing, as a root', () => {
    const tree = buildCategoryTree([{ id: 'orphan', parentId: 'gone', name: 'Orphan' }], byName);
    expect(tree.map((node) => node.id)).toEqual(['orphan']);
  });
});

describe('findCycle', () => {
  it('refuses a category as its own parent', () => {
    expect(findCycle(categories, 'home', 'home')).toEqual(['home', 'home']);
  });

  it('refuses a move below its own descendant, naming the chain', () => {
    expect(findCycle(categories, 'home', 'desks')).toEqual(['home', 'desks', 'furniture', 'home']);
    expect(findCycle(categories, 'furniture', 'desks')).toEqual(['furniture', 'desks', 'furniture']);
  });

  it('allows moves that keep a forest', () => {
    expect(findCycle(categories, 'desks', 'lighting')).toBeNull();
    expect(findCycle(categories, 'home', 'garden')).toBeNull();
    expect(findCycle(categories, 'lighting', null)).toBeNull();
  });

  it('stops on a cycle that already exists elsewhere instead of looping', () => {
    const broken = [
      { id: 'a', parentId: 'b' },
      { id: 'b', parentId: 'a' },
      { id: 'c', parentId: null },
    ];
    expect(findCycle(broken, 'c', 'a')).toBeNull();
  });
});

describe('subtreeIds', () => {
  it('is the category and everything below it', () => {
    expect(new Set(subtreeIds(categories, 'home'))).toEqual(
      new Set(['home', 'furniture', 'desks', 'lighting']),
    );
    expect(subtreeIds(categories, 'desks')).toEqual(['desks']);
  });
});
