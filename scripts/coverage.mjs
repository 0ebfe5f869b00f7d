// Test coverage (vitest's v8 provider) of every workspace package, as one table: `npm test` runs the
// unit tests with coverageArgs(UNIT), the integration tests with coverageArgs(INTEGRATION), each package
// writing its summary and per-file data into the run's folder, then writes the table to COVERAGE_REPORT.
// The unit columns are the unit tests' own; the domain and use cases are also given with the lines the
// integration tests (real broker and database, no mocks) ran, since use cases are tested there.
import fs from 'node:fs';
import path from 'node:path';

/** The folder each kind of run writes its coverage to, inside each package. */
export const UNIT = 'coverage';
export const INTEGRATION = 'coverage-integration';

/** Appended to each package's `vitest run` (through turbo): the package's own sources. */
export function coverageArgs(folder) {
  return [
    '--coverage.enabled',
    '--coverage.provider=v8',
    '--coverage.include=src/**',
    '--coverage.exclude=**/generated/**',
    '--coverage.exclude=**/*.test.ts',
    '--coverage.exclude=**/*.d.ts',
    '--coverage.reporter=json-summary',
    '--coverage.reporter=json',
    `--coverage.reportsDirectory=${folder}`,
  ];
}

export const COVERAGE_REPORT = path.join('.local', 'coverage', 'summary.md');

/**
 * Where the rule of seed 003 applies (90% of lines): the domain and the use cases, `src/domain/` and
 * `src/use-cases/`, or a module's own (`src/<module>/domain/`, as in the coordination service).
 */
const CORE = /[\\/]src[\\/](?:[\w-]+[\\/])?(domain|use-cases)[\\/]/;

/** Seed 003's coverage target for the domain and use cases, in percent of lines. */
export const CORE_MINIMUM = 90;

const percent = (covered, total) => (total === 0 ? '-' : `${((covered / total) * 100).toFixed(1)}%`);

/** Line number → whether any statement starting on it ran, per source file, from `coverage-final.json`. */
function lineHits(root, dir, folder) {
  const file = path.join(root, dir, folder, 'coverage-final.json');
  if (!fs.existsSync(file)) return new Map();
  const files = new Map();
  for (const [name, data] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')))) {
    const lines = new Map();
    for (const [id, location] of Object.entries(data.statementMap)) {
      const line = location.start.line;
      lines.set(line, (lines.get(line) ?? false) || data.s[id] > 0);
    }
    files.set(name, lines);
  }
  return files;
}

/** A package's integration coverage folders: one, or one per shard of its suite (`coverage-integration-2` …). */
export function integrationFolders(root, dir) {
  if (!fs.existsSync(path.join(root, dir))) return [];
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && (entry.name === INTEGRATION || entry.name.startsWith(`${INTEGRATION}-`)),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Lines of the domain and use cases covered by any of the runs, as { covered, total }. */
function coreLines(root, dir, folders) {
  const merged = new Map();
  for (const folder of folders) {
    for (const [name, lines] of lineHits(root, dir, folder)) {
      if (!CORE.test(name)) continue;
      const into = merged.get(name) ?? new Map();
      for (const [line, hit] of lines) into.set(line, (into.get(line) ?? false) || hit);
      merged.set(name, into);
    }
  }
  let covered = 0;
  let total = 0;
  for (const lines of merged.values()) {
    total += lines.size;
    for (const hit of lines.values()) if (hit) covered += 1;
  }
  return { covered, total };
}

/**
 * One row per package that has a unit summary: its totals, the lines of its domain and use cases under
 * the unit tests, and under unit and integration tests together.
 */
export function coverageRows(root, packageDirs) {
  const rows = [];
  for (const dir of packageDirs) {
    const file = path.join(root, dir, UNIT, 'coverage-summary.json');
    if (!fs.existsSync(file)) continue;
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    const unitCore = coreLines(root, dir, [UNIT]);
    const allCore = coreLines(root, dir, [UNIT, ...integrationFolders(root, dir)]);
    const { lines, statements, branches, functions } = summary.total;
    rows.push({
      package: dir,
      lines: percent(lines.covered, lines.total),
      statements: percent(statements.covered, statements.total),
      branches: percent(branches.covered, branches.total),
      functions: percent(functions.covered, functions.total),
      core: percent(unitCore.covered, unitCore.total),
      coreWithIntegration: percent(allCore.covered, allCore.total),
      coreLines: allCore,
    });
  }
  return rows;
}

/**
 * The packages whose domain and use cases, under unit and integration tests together, fall below
 * `minimum` percent of lines, as `dir (xx.x%)`; packages without such code are never listed.
 */
export function packagesBelow(rows, minimum = CORE_MINIMUM) {
  return rows
    .filter(({ coreLines }) => coreLines.total > 0 && (coreLines.covered / coreLines.total) * 100 < minimum)
    .map((row) => `${row.package} (${row.coreWithIntegration})`);
}

/** The rows as a Markdown table. */
export function coverageTable(rows) {
  const header = [
    'package',
    'lines',
    'statements',
    'branches',
    'functions',
    'domain + use cases',
    'domain + use cases, with integration',
  ];
  const cells = rows.map((row) => [
    row.package,
    row.lines,
    row.statements,
    row.branches,
    row.functions,
    row.core,
    row.coreWithIntegration,
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...cells.map((cell) => cell[index].length)),
  );
  const line = (values) => `| ${values.map((value, index) => value.padEnd(widths[index])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** Removes the summaries an earlier run left, so a package that no longer reports is not listed. */
export function clearCoverage(root, packageDirs) {
  for (const dir of packageDirs) {
    for (const folder of [UNIT, ...integrationFolders(root, dir)])
      fs.rmSync(path.join(root, dir, folder), { recursive: true, force: true });
  }
}

/** The workspace packages' folders (relative to the root), from pnpm-workspace.yaml's globs of one level. */
export function workspaceDirs(root) {
  const manifest = fs.readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?: {2}- .*\n)+)/m.exec(manifest)?.[1] ?? '';
  const globs = [...block.matchAll(/^ {2}- '?([^'\n]+?)'?$/gm)].map(([, glob]) => glob);
  const dirs = [];
  for (const glob of globs.filter((entry) => !entry.startsWith('!'))) {
    const candidates = glob.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => path.join(glob.slice(0, -2), entry.name))
      : [glob];
    dirs.push(...candidates.filter((dir) => fs.existsSync(path.join(root, dir, 'package.json'))));
  }
  return dirs.sort();
}
