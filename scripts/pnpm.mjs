#!/usr/bin/env node
// Runs the repository's pinned pnpm (without a global install) with the given arguments, so root
// scripts work on a machine that only has Node.js and npm.
import { pnpm } from './lib.mjs';

process.exitCode = await pnpm(process.argv.slice(2));
