#!/usr/bin/env node
// `npm stop`: stops the services `npm start` started, then the local stack.
import { log, run } from './lib.mjs';
import { stopServices } from './services.mjs';

const stopped = await stopServices();
if (stopped.length) log(`stopped ${stopped.join(', ')}`);
process.exitCode = await run(process.execPath, ['infra/stack.mjs', 'down']);
