/**
 * Prints a bearer token for calling the local services:
 *   pnpm dev-token --roles admin,service --sub local-dev --ttl 8h
 * A tool of local development: an unset NODE_ENV counts as development here.
 */
import { loadToolConfigOrExit } from '../config.js';
import {
  createDevToken,
  DEV_TOKEN_USAGE,
  DevTokenUsageError,
  parseDevTokenArgs,
  ttlSeconds,
} from '../dev-token.js';

const config = loadToolConfigOrExit({ JWT_MAX_TTL_SECONDS: true });

try {
  const request = parseDevTokenArgs(process.argv.slice(2));
  if (request.help) {
    process.stdout.write(`${DEV_TOKEN_USAGE}\n`);
  } else if (ttlSeconds(request.ttl) > config.JWT_MAX_TTL_SECONDS) {
    throw new DevTokenUsageError(
      `--ttl ${request.ttl} is longer than the services accept (JWT_MAX_TTL_SECONDS=${config.JWT_MAX_TTL_SECONDS})`,
    );
  } else if (config.JWT_SECRET === undefined) {
    process.stderr.write('JWT_SECRET is required to sign a token outside local development\n');
    process.exitCode = 1;
  } else {
    const platform = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
    process.stdout.write(`${createDevToken(request, config.JWT_SECRET, undefined, platform)}\n`);
  }
} catch (error) {
  if (!(error instanceof DevTokenUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${DEV_TOKEN_USAGE}\n`);
  process.exitCode = 2;
}
