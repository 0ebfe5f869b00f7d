/**
 * Operator's command line for the dead-letter ledger, over the coordination service's HTTP API:
 *   npm run dlq -- list --status PENDING
 *   npm run dlq -- replay --order <orderId>
 * It signs a short-lived admin token with JWT_SECRET, as `npm run dev-token` does.
 */
import { userInfo } from 'node:os';
import { loadToolConfigOrExit, signToken } from '@fv/service-kit';
import { DLQ_USAGE, DlqUsageError, parseDlqCommand, type DlqCommand } from './dlq-command.js';
import {
  formatError,
  formatList,
  formatReplayMany,
  formatResolved,
  formatShow,
  formatSummary,
} from './dlq-format.js';

// An operator's tool: an unset NODE_ENV counts as local development, as for `npm run dev-token`.
const config = loadToolConfigOrExit({ COORDINATION_URL: true });

function operator(command: Extract<DlqCommand, { request: unknown }>): string {
  if (command.as) return command.as;
  try {
    return userInfo().username || 'dlq-cli';
  } catch {
    return 'dlq-cli';
  }
}

function render(command: Extract<DlqCommand, { request: unknown }>, body: never): string {
  switch (command.kind) {
    case 'list':
      return formatList(body);
    case 'summary':
      return formatSummary(body);
    case 'show':
      return formatShow(body);
    case 'replay-one':
      return formatResolved('Replayed', body);
    case 'discard':
      return formatResolved('Discarded', body);
    case 'replay-many':
      return formatReplayMany(body);
  }
}

async function main(): Promise<number> {
  let command: DlqCommand;
  try {
    command = parseDlqCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DlqUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${DLQ_USAGE}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${DLQ_USAGE}\n`);
    return 0;
  }
  if (config.JWT_SECRET === undefined) {
    process.stderr.write('JWT_SECRET is required to sign the operator token outside local development\n');
    return 1;
  }
  const token = signToken(config.JWT_SECRET, {
    sub: operator(command),
    roles: ['admin'],
    expiresIn: 300,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const url = new URL(`/api/v1${command.request.path}`, config.COORDINATION_URL);
  let response: Response;
  try {
    response = await fetch(url, {
      method: command.request.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(command.request.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(command.request.body ? { body: JSON.stringify(command.request.body) } : {}),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    process.stderr.write(`Cannot reach the coordination service at ${config.COORDINATION_URL}: ${reason}\n`);
    return 1;
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: shown as it came
  }
  if (!response.ok) {
    if (command.json)
      process.stdout.write(`${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}\n`);
    process.stderr.write(`${formatError(response.status, body)}\n`);
    return 1;
  }
  process.stdout.write(`${command.json ? JSON.stringify(body, null, 2) : render(command, body as never)}\n`);
  return 0;
}

process.exitCode = await main();
