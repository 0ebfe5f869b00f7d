import { parseArgs } from 'node:util';

export const DLQ_USAGE = `Usage: npm run dlq -- <command> [options]

Inspect, replay and discard the platform's dead letters (the coordination service's /api/v1/dlq).

Commands:
  list [--topic T] [--order ID] [--error CODE] [--group G] [--status S] [--page N] [--size N]
                                  dead letters, most recent failure first (status PENDING, REPLAYED, DISCARDED)
  summary                         counts by status, topic, error code and consumer group
  show <id>                       one dead letter: headers, error, and the value decoded with the registry
  replay <id>                     send one back to its original topic
  replay --order <id>             every PENDING dead letter of an order, in original order
  replay --error <code> [--topic T] [--limit N]
                                  every PENDING dead letter with that error code
  discard <id> --reason "..."     mark one DISCARDED (it will not be replayed)

Options:
  --json      print the API's answer as JSON
  --as NAME   who the action is recorded as (default: the OS user)

Environment: COORDINATION_URL (default http://127.0.0.1:8081), JWT_SECRET (as for npm run dev-token).`;

export class DlqUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DlqUsageError';
  }
}

export interface DlqRequest {
  method: 'GET' | 'POST';
  /** Path under /api/v1, with its query string. */
  path: string;
  body?: Record<string, unknown>;
}

export type DlqCommand =
  | { kind: 'help' }
  | {
      kind: 'list' | 'summary' | 'show' | 'replay-one' | 'replay-many' | 'discard';
      request: DlqRequest;
      json: boolean;
      as?: string;
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function oneId(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new DlqUsageError(`${command} takes exactly one dead-letter id`);
  const id = positionals[0]!.trim();
  if (!UUID.test(id)) throw new DlqUsageError(`"${id}" is not a dead-letter id (a UUID, as list shows it)`);
  return id.toLowerCase();
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new DlqUsageError(`${command} takes no argument "${positionals[0]}"`);
}

/** The options every command is read with (each command refuses those it does not take). */
const OPTIONS = {
  topic: { type: 'string' },
  order: { type: 'string' },
  error: { type: 'string' },
  group: { type: 'string' },
  status: { type: 'string' },
  page: { type: 'string' },
  size: { type: 'string' },
  limit: { type: 'string' },
  reason: { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The command line as node reads it; what it cannot read is a usage error. */
function readArguments(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new DlqUsageError(error instanceof Error ? error.message : String(error));
  }
}

type DlqValues = ReturnType<typeof readArguments>['values'];
/** What every command carries besides its request: --json and --as. */
type CommonOptions = { json: boolean; as?: string };

/** Refuses the options `command` does not take. */
function allowOnly(command: string, values: DlqValues, allowed: string[]): void {
  const extra = (
    ['topic', 'order', 'error', 'group', 'status', 'page', 'size', 'limit', 'reason'] as const
  ).filter((name) => values[name] !== undefined && !allowed.includes(name));
  if (extra.length) throw new DlqUsageError(`${command} does not take --${extra.join(', --')}`);
}

/** The filter options as the API's query parameters. */
function filterParams(values: DlqValues): Record<string, string | undefined> {
  return {
    topic: values.topic,
    orderId: values.order,
    errorCode: values.error,
    consumerGroup: values.group,
    status: values.status?.toUpperCase(),
  };
}

function listCommand(rest: string[], values: DlqValues, common: CommonOptions): DlqCommand {
  noPositionals(rest, 'list');
  allowOnly('list', values, ['topic', 'order', 'error', 'group', 'status', 'page', 'size']);
  return {
    kind: 'list',
    request: {
      method: 'GET',
      path: `/dlq${query({ ...filterParams(values), page: values.page, size: values.size })}`,
    },
    ...common,
  };
}

function summaryCommand(rest: string[], values: DlqValues, common: CommonOptions): DlqCommand {
  noPositionals(rest, 'summary');
  allowOnly('summary', values, ['topic', 'order', 'error', 'group', 'status']);
  return {
    kind: 'summary',
    request: { method: 'GET', path: `/dlq/summary${query(filterParams(values))}` },
    ...common,
  };
}

/** `replay <id>` sends one back; `replay --order/--error ...` every PENDING dead letter that matches. */
function replayCommand(rest: string[], values: DlqValues, common: CommonOptions): DlqCommand {
  if (rest.length > 0) {
    allowOnly('replay', values, []);
    return {
      kind: 'replay-one',
      request: { method: 'POST', path: `/dlq/${oneId(rest, 'replay')}/replay` },
      ...common,
    };
  }
  allowOnly('replay', values, ['order', 'error', 'topic', 'group', 'limit']);
  if (values.order === undefined && values.error === undefined)
    throw new DlqUsageError('replay needs a dead-letter id, --order <id> or --error <code>');
  let limit: number | undefined;
  if (values.limit !== undefined) {
    if (!/^\d{1,6}$/.test(values.limit) || Number(values.limit) === 0)
      throw new DlqUsageError(`--limit must be a positive number (got "${values.limit}")`);
    limit = Number(values.limit);
  }
  const body: Record<string, unknown> = {};
  if (values.order !== undefined) body.orderId = values.order;
  if (values.error !== undefined) body.errorCode = values.error;
  if (values.topic !== undefined) body.topic = values.topic;
  if (values.group !== undefined) body.consumerGroup = values.group;
  if (limit !== undefined) body.limit = limit;
  return { kind: 'replay-many', request: { method: 'POST', path: '/dlq/replay', body }, ...common };
}

function discardCommand(rest: string[], values: DlqValues, common: CommonOptions): DlqCommand {
  allowOnly('discard', values, ['reason']);
  const id = oneId(rest, 'discard');
  const reason = values.reason?.trim();
  if (!reason) throw new DlqUsageError('discard needs --reason "<why it will not be replayed>"');
  return {
    kind: 'discard',
    request: { method: 'POST', path: `/dlq/${id}/discard`, body: { reason } },
    ...common,
  };
}

/** Reads the command line (after `npm run dlq --`) into the API request it stands for. */
export function parseDlqCommand(argv: readonly string[]): DlqCommand {
  const { values, positionals } = readArguments(argv);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { kind: 'help' };
  const json = values.json ?? false;
  const as = values.as?.trim() || undefined;
  const common = { json, ...(as ? { as } : {}) };

  switch (command) {
    case 'list':
      return listCommand(rest, values, common);
    case 'summary':
      return summaryCommand(rest, values, common);
    case 'show':
      allowOnly('show', values, []);
      return { kind: 'show', request: { method: 'GET', path: `/dlq/${oneId(rest, 'show')}` }, ...common };
    case 'replay':
      return replayCommand(rest, values, common);
    case 'discard':
      return discardCommand(rest, values, common);
    default:
      throw new DlqUsageError(`unknown command "${command}"`);
  }
}
