/**
 * `npm run newman`: the collections against the platform `npm start` runs (ports 8081-8086), with
 * tokens signed with its JWT_SECRET (the development one unless the environment sets another).
 */
import { baseConfigSchema, loadConfigOrExit } from '@fv/service-kit';
import { runCollections, summaryLine } from './run.js';

// Runs against the local stack: an unset NODE_ENV counts as local development.
const config = loadConfigOrExit(baseConfigSchema.pick({ NODE_ENV: true, JWT_SECRET: true }), {
  NODE_ENV: 'development',
  ...process.env,
});
if (config.JWT_SECRET === undefined) throw new Error('JWT_SECRET is required outside local development');
const host = process.env.FV_HOST ?? 'http://localhost';
const results = await runCollections(
  {
    coordination: `${host}:8081`,
    catalog: `${host}:8082`,
    inventory: `${host}:8083`,
    orders: `${host}:8084`,
    delivery: `${host}:8085`,
    notifications: `${host}:8086`,
  },
  config.JWT_SECRET,
);
for (const result of results) console.log(summaryLine(result));
if (results.some((result) => result.assertions.failed > 0 || result.failures.length > 0))
  process.exitCode = 1;
