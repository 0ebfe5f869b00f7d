#!/usr/bin/env node
// Compiles one server (a service or a simulator) to JavaScript: `node ../../scripts/build-service.mjs`
// from the package folder writes `dist/main.js`, one ESM file holding the package's own code and the
// workspace packages (@fv/*, @firstviscount/coordination-sdk) it uses, with every third-party package left as an import of node_modules.
//
// Run it as `node dist/main.js`; it behaves as `node --import tsx src/main.ts`:
// - `import.meta.url` / `import.meta.dirname` of each bundled file still name that file's original place
//   (relative to dist/), so `new URL('../prisma/migrations', import.meta.url)` and the console's assets
//   resolve to the same folders as from the sources, in the repository and in a container whose /app
//   holds the package folder;
// - the third-party packages the bundle imports that the package does not depend on itself (those of
//   the workspace packages: kafkajs, avsc, pino, ...) get a link in dist/node_modules/ to the copy the
//   sources use, so the compiled file finds the same versions. Containers drop these links and install
//   the package's production dependencies flat (pnpm deploy, hoisted).
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const BUILTINS = new Set(builtinModules);
const OUT_DIR = 'dist';
const ROOT = path.resolve(import.meta.dirname, '..');

/** Names of the workspace's own packages (bundled, since they are TypeScript sources). */
function workspacePackages() {
  const names = new Set();
  for (const group of ['packages', 'services', 'simulators']) {
    for (const entry of fs.readdirSync(path.join(ROOT, group))) {
      const manifest = path.join(ROOT, group, entry, 'package.json');
      if (fs.existsSync(manifest)) names.add(JSON.parse(fs.readFileSync(manifest, 'utf8')).name);
    }
  }
  return names;
}

/** `kafkajs/lib/x` → `kafkajs`, `@scope/pkg/x` → `@scope/pkg`. */
export function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isBuiltin = (specifier) => specifier.startsWith('node:') || BUILTINS.has(packageName(specifier));

/** Leaves third-party packages external and remembers where each was imported from. */
function externalsPlugin(imported) {
  const workspace = workspacePackages();
  return {
    name: 'fv-externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageName(args.path);
        if (workspace.has(name)) return undefined;
        if (!imported.has(name)) imported.set(name, args.resolveDir);
        return { path: args.path, external: true };
      });
    },
  };
}

/** Rewrites `import.meta.url` / `import.meta.dirname` of workspace sources to their original place. */
function sourceLocationPlugin(outDir) {
  return {
    name: 'fv-source-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let contents = await fs.promises.readFile(args.path, 'utf8');
        if (contents.includes('import.meta.')) {
          const relative = path.relative(outDir, args.path).split(path.sep).join('/');
          const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
          contents = contents
            .replaceAll('import.meta.url', url)
            .replaceAll('import.meta.dirname', `__fvDirname(__fvFileURLToPath(${url}))`)
            .replaceAll('import.meta.filename', `__fvFileURLToPath(${url})`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Links each imported package the package folder cannot resolve itself into dist/node_modules, pointing
 * at the copy the importing source resolves. Returns the names linked.
 */
function linkExternals(packageDir, imported) {
  const modulesDir = path.join(packageDir, OUT_DIR, 'node_modules');
  const own = createRequire(path.join(packageDir, 'package.json'));
  const linked = [];
  for (const [name, resolveDir] of [...imported].sort(([a], [b]) => a.localeCompare(b))) {
    const target = packageDir_(name, createRequire(path.join(resolveDir, 'noop.js')));
    if (!target) throw new Error(`${name} (imported from ${resolveDir}) cannot be found`);
    if (packageDir_(name, own) === target) continue;
    const link = path.join(modulesDir, name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), target), link, 'dir');
    linked.push(name);
  }
  return linked;
}

/** The real folder of package `name` as `require` resolves it, or null. */
function packageDir_(name, require) {
  for (const base of require.resolve.paths(name) ?? []) {
    const candidate = path.join(base, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
  }
  return null;
}

export async function buildService(packageDir = process.cwd()) {
  const outDir = path.join(packageDir, OUT_DIR);
  fs.rmSync(outDir, { recursive: true, force: true });
  const imported = new Map();
  const result = await esbuild.build({
    absWorkingDir: packageDir,
    entryPoints: { main: 'src/main.ts' },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    banner: {
      js: [
        "import { fileURLToPath as __fvFileURLToPath } from 'node:url';",
        "import { dirname as __fvDirname } from 'node:path';",
      ].join('\n'),
    },
    plugins: [externalsPlugin(imported), sourceLocationPlugin(outDir)],
  });
  const linked = linkExternals(packageDir, imported);
  const bytes = result.metafile.outputs[path.join(OUT_DIR, 'main.js')]?.bytes ?? 0;
  return { outFile: path.join(outDir, 'main.js'), bytes, externals: [...imported.keys()].sort(), linked };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { outFile, bytes, externals, linked } = await buildService();
  console.log(
    `${path.relative(process.cwd(), outFile)}: ${(bytes / 1024).toFixed(0)} KiB in ${Date.now() - started} ms; ` +
      `${externals.length} external packages (${linked.length} linked in dist/node_modules)`,
  );
}
