#!/usr/bin/env node
// Installs what is missing: pnpm (through npx), dependencies, generated code.
import { ensureInstalled } from './lib.mjs';

await ensureInstalled();
