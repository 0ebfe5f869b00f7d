#!/usr/bin/env node
// Builds the saga console into console/dist: the TypeScript of console/src bundled by esbuild into one
// script, beside the page and its style sheet. Run by the package's `generate` step (so by `npm start`,
// `npm test` and the setup), and by hand with `node console/build.mjs`.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const dist = here('./dist/');

await mkdir(dist, { recursive: true });
await build({
  entryPoints: [here('./src/main.ts')],
  outfile: `${dist}console.js`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
await Promise.all([
  copyFile(here('./index.html'), `${dist}index.html`),
  copyFile(here('./console.css'), `${dist}console.css`),
]);
