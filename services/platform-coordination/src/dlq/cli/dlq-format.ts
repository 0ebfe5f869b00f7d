/** Plain-text renderings of the dead-letter API's answers for a terminal. */

type Row = Record<string, unknown>;

function cell(value: unknown, width: number): string {
  const text =
    value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A table with a header line; columns as wide as their widest cell, up to `max`. */
export function table(
  columns: { title: string; value: (row: Row) => unknown; max?: number }[],
  rows: Row[],
): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row), column.max ?? 60)));
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...cells.map((line) => line[i]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...cells.map(line)].join('\n');
}

const shortTime = (value: unknown) =>
  typeof value === 'string' ? value.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : value;
const error = (row: Row) => row.error as { code?: string; message?: string | null } | undefined;

const LIST_COLUMNS = [
  { title: 'ID', value: (row: Row) => row.id, max: 36 },
  { title: 'STATUS', value: (row: Row) => row.status },
  { title: 'TOPIC', value: (row: Row) => row.originalTopic, max: 120 },
  { title: 'EVENT', value: (row: Row) => row.eventName, max: 30 },
  { title: 'ORDER', value: (row: Row) => row.orderId ?? row.correlationId, max: 36 },
  { title: 'ERROR', value: (row: Row) => error(row)?.code, max: 32 },
  { title: 'GROUP', value: (row: Row) => row.consumerGroup, max: 30 },
  { title: 'FAILED AT', value: (row: Row) => shortTime(row.failedAt) },
  { title: 'MESSAGE', value: (row: Row) => error(row)?.message, max: 60 },
];

export function formatList(body: {
  deadLetters: Row[];
  pagination: { page: number; size: number; totalElements: number; totalPages: number };
}): string {
  const { page, size, totalElements, totalPages } = body.pagination;
  if (body.deadLetters.length === 0)
    return `No dead letters match (page ${page + 1}, ${totalElements} in all).`;
  return `${table(LIST_COLUMNS, body.deadLetters)}\n\nPage ${page + 1} of ${totalPages} (${size} per page), ${totalElements} in all.`;
}

export function formatSummary(body: {
  total: number;
  byStatus: Record<string, number>;
  byTopic: Row[];
  byError: Row[];
  byConsumerGroup: Row[];
}): string {
  const counts = [
    { title: 'PENDING', value: (row: Row) => row.PENDING },
    { title: 'REPLAYED', value: (row: Row) => row.REPLAYED },
    { title: 'DISCARDED', value: (row: Row) => row.DISCARDED },
    { title: 'TOTAL', value: (row: Row) => row.total },
  ];
  const status = body.byStatus;
  return [
    `${body.total} dead letters: ${status.PENDING ?? 0} pending, ${status.REPLAYED ?? 0} replayed, ${status.DISCARDED ?? 0} discarded.`,
    '',
    table([{ title: 'TOPIC', value: (row) => row.topic }, ...counts], body.byTopic),
    '',
    table([{ title: 'ERROR', value: (row) => row.errorCode }, ...counts], body.byError),
    '',
    table([{ title: 'CONSUMER GROUP', value: (row) => row.consumerGroup }, ...counts], body.byConsumerGroup),
  ].join('\n');
}

export function formatShow(body: Row): string {
  const err = error(body);
  const fields: [string, unknown][] = [
    ['id', body.id],
    ['status', body.status],
    ['event', body.eventName],
    ['event id', body.eventId],
    ['order', body.orderId],
    ['correlation id', body.correlationId],
    ['key', body.key],
    ['original', `${body.originalTopic} [${body.originalPartition ?? '?'}] @ ${body.originalOffset ?? '?'}`],
    ['dead letter', `${body.dlqTopic} [${body.dlqPartition}] @ ${body.dlqOffset}`],
    ['consumer group', body.consumerGroup],
    ['error', `${err?.code ?? '-'}${err?.message ? `: ${err.message}` : ''}`],
    ['attempts', body.attempts],
    ['failed at', body.failedAt],
    ['replayed at', body.replayedAt],
    ['discarded at', body.discardedAt],
    ['discard reason', body.discardReason],
    ['by', body.resolvedBy],
    ['replay of', body.replayOf],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  const lines = fields
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  const headers = Object.entries((body.headers ?? {}) as Record<string, string>);
  if (headers.length) {
    lines.push('', 'headers:');
    const headerWidth = Math.max(...headers.map(([name]) => name.length));
    for (const [name, value] of headers.sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`  ${name.padEnd(headerWidth)}  ${value}`);
  }
  lines.push('');
  if (body.event !== null && body.event !== undefined) {
    lines.push('event (decoded):', JSON.stringify(body.event, null, 2));
  } else {
    lines.push(`value: ${body.valueSize ?? 0} bytes, not decodable: ${body.decodeError ?? 'no value'}`);
    if (body.value) lines.push(`value (base64): ${body.value}`);
  }
  return lines.join('\n');
}

export function formatResolved(action: 'Replayed' | 'Discarded', body: Row): string {
  const target = `${body.originalTopic} [${body.originalPartition ?? '?'}] @ ${body.originalOffset ?? '?'}`;
  return `${action} dead letter ${body.id} (${body.eventName ?? 'unknown event'}, ${target}); status ${body.status}.`;
}

export function formatReplayMany(body: {
  replayed: number;
  matched: number;
  remaining: number;
  deadLetters: Row[];
}): string {
  if (body.replayed === 0) return 'Nothing to replay: no PENDING dead letter matches.';
  const lines = [
    table(
      [
        { title: 'ID', value: (row: Row) => row.id },
        { title: 'TOPIC', value: (row: Row) => row.originalTopic, max: 120 },
        { title: 'PARTITION', value: (row: Row) => row.originalPartition },
        { title: 'OFFSET', value: (row: Row) => row.originalOffset },
        { title: 'EVENT', value: (row: Row) => row.eventName, max: 30 },
        { title: 'ORDER', value: (row: Row) => row.orderId ?? row.correlationId },
      ],
      body.deadLetters,
    ),
    '',
    `Replayed ${body.replayed} of ${body.matched} matching dead letters, in this order.`,
  ];
  if (body.remaining > 0) lines.push(`${body.remaining} remain PENDING: run the same command again.`);
  return lines.join('\n');
}

/** The seed 001 error envelope as one line (and its field list). */
export function formatError(status: number, body: unknown): string {
  const envelope = (body as { error?: { code?: string; message?: string; details?: { fields?: Row[] } } })
    ?.error;
  if (!envelope) return `HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`;
  const fields = envelope.details?.fields?.map((field) => `  ${field.field}: ${field.message}`) ?? [];
  return [`${envelope.code ?? 'ERROR'} (HTTP ${status}): ${envelope.message ?? ''}`, ...fields].join('\n');
}
