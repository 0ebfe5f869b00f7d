// Unit-test coverage (vitest's v8 provider) of every workspace package, as one table: `npm test` runs
// the unit tests with COVERAGE_ARGS, each package writing `coverage/coverage-summary.json`, then
// writes the table to COVERAGE_REPORT.
import fs from 'node:fs';
import path from 'node:path';

/** Appended to each package's `vitest run` (through turbo): the package's own sources, as a summary. */
export const COVERAGE_ARGS = [
  '--coverage.enabled',
  '--coverage.provider=v8',
  '--coverage.include=src/**',
  '--coverage.exclude=**/generated/**',
  '--coverage.exclude=**/*.test.ts',
  '--coverage.exclude=**/*.d.ts',
  '--coverage.reporter=json-summary',
  '--coverage.reportsDirectory=coverage',
];

export const COVERAGE_REPORT = path.join('.local', 'coverage', 'summary.md');

/** Where the rule of seed 003 applies (90% of lines): the domain and the use cases. */
const CORE = /[\\/]src[\\/](domain|use-cases)[\\/]/;

const percent = (covered, total) => (total === 0 ? '-' : `${((covered / total) * 100).toFixed(1)}%`);

/** One row per package that has a summary: lines, statements, branches, functions, and core lines. */
export function coverageRows(root, packageDirs) {
  const rows = [];
  for (const dir of packageDirs) {
    const file = path.join(root, dir, 'coverage', 'coverage-summary.json');
    if (!fs.existsSync(file)) continue;
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    const core = Object.entries(summary)
      .filter(([name]) => name !== 'total' && CORE.test(name))
      .reduce(
        (sum, [, entry]) => ({
          covered: sum.covered + entry.lines.covered,
          total: sum.total + entry.lines.total,
        }),
        {
          covered: 0,
          total: 0,
        },
      );
    const { lines, statements, branches, functions } = summary.total;
    rows.push({
      package: dir,
      lines: percent(lines.covered, lines.total),
      statements: percent(statements.covered, statements.total),
      branches: percent(branches.covered, branches.total),
      functions: percent(functions.covered, functions.total),
      core: percent(core.covered, core.total),
    });
  }
  return rows;
}

/** The rows as a Markdown table. */
export function coverageTable(rows) {
  const header = ['package', 'lines', 'statements', 'branches', 'functions', 'domain + use cases (lines)'];
  const cells = rows.map((row) => [
    row.package,
    row.lines,
    row.statements,
    row.branches,
    row.functions,
    row.core,
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...cells.map((cell) => cell[index].length)),
  );
  const line = (values) => `| ${values.map((value, index) => value.padEnd(widths[index])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** Removes the summaries an earlier run left, so a package that no longer reports is not listed. */
export function clearCoverage(root, packageDirs) {
  for (const dir of packageDirs)
    fs.rmSync(path.join(root, dir, 'coverage'), { recursive: true, force: true });
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
