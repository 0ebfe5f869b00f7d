/**
 * Prints a bearer token for calling the local services:
 *   pnpm dev-token --roles admin,service --sub local-dev --ttl 8h
 */
import { baseConfigSchema, loadConfigOrExit } from '../config.js';
import { createDevToken, DEV_TOKEN_USAGE, DevTokenUsageError, parseDevTokenArgs } from '../dev-token.js';

const config = loadConfigOrExit(baseConfigSchema.pick({ NODE_ENV: true, JWT_SECRET: true }));

try {
  const request = parseDevTokenArgs(process.argv.slice(2));
  if (request.help) {
    process.stdout.write(`${DEV_TOKEN_USAGE}\n`);
  } else {
    process.stdout.write(`${createDevToken(request, config.JWT_SECRET)}\n`);
  }
} catch (error) {
  if (!(error instanceof DevTokenUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${DEV_TOKEN_USAGE}\n`);
  process.exitCode = 2;
}
