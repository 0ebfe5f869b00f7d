import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clearCoverage, coverageRows, coverageTable, workspaceDirs } from './coverage.mjs';
import { ROOT } from './lib.mjs';

const counts = (covered, total) => ({ covered, total, skipped: 0, pct: 0 });
const entry = (lines, branches = [1, 2]) => ({
  lines: counts(...lines),
  statements: counts(...lines),
  branches: counts(...branches),
  functions: counts(1, 1),
});

function workspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-coverage-'));
  const write = (dir, summary) => {
    fs.mkdirSync(path.join(root, dir, 'coverage'), { recursive: true });
    fs.writeFileSync(path.join(root, dir, 'coverage', 'coverage-summary.json'), JSON.stringify(summary));
  };
  write('services/orders', {
    total: entry([150, 200]),
    [path.join(root, 'services/orders/src/domain/order.ts')]: entry([90, 100]),
    [path.join(root, 'services/orders/src/use-cases/place.ts')]: entry([45, 50]),
    [path.join(root, 'services/orders/src/routes/orders.ts')]: entry([15, 50]),
  });
  write('packages/testing', { total: entry([0, 0], [0, 0]) });
  return root;
}

test('a row per package with a summary: totals, and the lines of its domain and use cases', () => {
  const root = workspace();
  const rows = coverageRows(root, ['packages/testing', 'services/orders', 'services/inventory']);
  assert.deepEqual(rows, [
    {
      package: 'packages/testing',
      lines: '-',
      statements: '-',
      branches: '-',
      functions: '100.0%',
      core: '-',
    },
    {
      package: 'services/orders',
      lines: '75.0%',
      statements: '75.0%',
      branches: '50.0%',
      functions: '100.0%',
      core: '90.0%',
    },
  ]);
  assert.deepEqual(coverageTable(rows).split('\n').slice(0, 3), [
    '| package          | lines | statements | branches | functions | domain + use cases (lines) |',
    '| ---------------- | ----- | ---------- | -------- | --------- | -------------------------- |',
    '| packages/testing | -     | -          | -        | 100.0%    | -                          |',
  ]);
  clearCoverage(root, ['services/orders']);
  assert.deepEqual(coverageRows(root, ['services/orders']), [], 'a cleared package is not listed');
});

test("the workspace's package folders, from pnpm-workspace.yaml", () => {
  const dirs = workspaceDirs(ROOT);
  for (const dir of ['packages/testing', 'services/orders', 'e2e/newman', 'examples/storefront', 'chaos'])
    assert.ok(dirs.includes(dir), dir);
  assert.ok(dirs.every((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json'))));
});
