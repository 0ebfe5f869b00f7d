import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clearCoverage, coverageRows, coverageTable, packagesBelow, workspaceDirs } from './coverage.mjs';
import { ROOT } from './lib.mjs';

const counts = (covered, total) => ({ covered, total, skipped: 0, pct: 0 });
const entry = (lines, branches = [1, 2]) => ({
  lines: counts(...lines),
  statements: counts(...lines),
  branches: counts(...branches),
  functions: counts(1, 1),
});

/** Per-file data as vitest's json reporter writes it: one statement per line, `hits[i]` runs of line i + 1. */
const fileData = (hits) => ({
  statementMap: Object.fromEntries(
    hits.map((_, i) => [String(i), { start: { line: i + 1, column: 0 }, end: { line: i + 1, column: 9 } }]),
  ),
  s: Object.fromEntries(hits.map((count, i) => [String(i), count])),
});
const ran = (count, of) => Array.from({ length: of }, (_, i) => (i < count ? 1 : 0));

function workspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-coverage-'));
  const write = (dir, folder, name, data) => {
    fs.mkdirSync(path.join(root, dir, folder), { recursive: true });
    fs.writeFileSync(path.join(root, dir, folder, name), JSON.stringify(data));
  };
  const orders = (file) => path.join(root, 'services/orders/src', file);
  write('services/orders', 'coverage', 'coverage-summary.json', { total: entry([150, 200]) });
  write('services/orders', 'coverage', 'coverage-final.json', {
    [orders('domain/order.ts')]: fileData(ran(90, 100)),
    [orders('use-cases/place.ts')]: fileData(ran(0, 50)),
    [orders('routes/orders.ts')]: fileData(ran(15, 50)),
  });
  // The integration tests ran the use case, and lines of the domain the unit tests had not.
  write('services/orders', 'coverage-integration', 'coverage-final.json', {
    [orders('domain/order.ts')]: fileData([...ran(0, 90), ...ran(5, 10)]),
    [orders('use-cases/place.ts')]: fileData(ran(45, 50)),
    [orders('routes/orders.ts')]: fileData(ran(50, 50)),
  });
  write('packages/testing', 'coverage', 'coverage-summary.json', { total: entry([0, 0], [0, 0]) });
  return root;
}

test('a row per package with a summary: totals, and the lines of its domain and use cases, alone and with integration', () => {
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
      coreWithIntegration: '-',
      coreLines: { covered: 0, total: 0 },
    },
    {
      package: 'services/orders',
      lines: '75.0%',
      statements: '75.0%',
      branches: '50.0%',
      functions: '100.0%',
      core: '60.0%',
      coreWithIntegration: '93.3%',
      coreLines: { covered: 140, total: 150 },
    },
  ]);
  assert.deepEqual(coverageTable(rows).split('\n').slice(0, 3), [
    '| package          | lines | statements | branches | functions | domain + use cases | domain + use cases, with integration |',
    '| ---------------- | ----- | ---------- | -------- | --------- | ------------------ | ------------------------------------ |',
    '| packages/testing | -     | -          | -        | 100.0%    | -                  | -                                    |',
  ]);
  clearCoverage(root, ['services/orders']);
  assert.deepEqual(coverageRows(root, ['services/orders']), [], 'a cleared package is not listed');
});

test('a module folder of its own domain counts as domain; packages under the target are named', () => {
  const root = workspace();
  const coordination = (file) => path.join(root, 'services/platform-coordination/src', file);
  const write = (folder, name, data) => {
    fs.mkdirSync(path.join(root, 'services/platform-coordination', folder), { recursive: true });
    fs.writeFileSync(path.join(root, 'services/platform-coordination', folder, name), JSON.stringify(data));
  };
  write('coverage', 'coverage-summary.json', { total: entry([10, 20]) });
  write('coverage', 'coverage-final.json', {
    [coordination('workflows/domain/reduce.ts')]: fileData(ran(8, 10)),
    [coordination('workflows/domain/templates/order.ts')]: fileData(ran(10, 10)),
    [coordination('workflows/workflow-engine.ts')]: fileData(ran(0, 10)),
  });
  const rows = coverageRows(root, ['services/orders', 'services/platform-coordination', 'packages/testing']);
  assert.deepEqual(
    rows.map((row) => [row.package, row.coreWithIntegration]),
    [
      ['services/orders', '93.3%'],
      ['services/platform-coordination', '90.0%'],
      ['packages/testing', '-'],
    ],
  );
  assert.deepEqual(packagesBelow(rows), [], 'at 90% and above, and without such code, nothing is named');
  assert.deepEqual(packagesBelow(rows, 93.4), [
    'services/orders (93.3%)',
    'services/platform-coordination (90.0%)',
  ]);
});

test("the workspace's package folders, from pnpm-workspace.yaml", () => {
  const dirs = workspaceDirs(ROOT);
  for (const dir of ['packages/testing', 'services/orders', 'e2e/newman', 'examples/storefront', 'chaos'])
    assert.ok(dirs.includes(dir), dir);
  assert.ok(dirs.every((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json'))));
});
