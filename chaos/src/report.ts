import type {
  CouponFacts,
  DeadLetter,
  FaultRecord,
  InvariantResult,
  OrderFacts,
  Recovery,
  ReplenishmentFacts,
  ReturnFacts,
} from './invariants.js';

/** A plain-text table: a header row, a rule, and rows, each column as wide as its widest cell. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [
    line(cells[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export interface ReportInput {
  seed: number;
  command: string;
  startedAt: number;
  loadStartedAt: number;
  orders: OrderFacts[];
  placed: number;
  returns?: ReturnFacts[];
  replenishments?: ReplenishmentFacts[];
  coupons?: CouponFacts[];
  faults: FaultRecord[];
  recoveries: Recovery[];
  deadLetters: DeadLetter[];
  invariants: InvariantResult[];
  paymentSource: string;
  quiescence: { quiet: boolean; waitedMs: number; lastState: string };
  crashes: Map<string, number>;
  examples: number;
}

export function renderReport(input: ReportInput): string {
  const out: string[] = [];
  const at = (time: number) => `+${((time - input.loadStartedAt) / 1000).toFixed(1)} s`;
  out.push(`Fault-injection run, seed ${input.seed} — same seed, same faults: ${input.command}`);
  out.push('');

  const byStatus = new Map<string, number>();
  for (const order of input.orders) byStatus.set(order.status, (byStatus.get(order.status) ?? 0) + 1);
  out.push(`Orders: ${input.placed} placed, ${input.orders.length} held by the order service`);
  out.push(
    table(
      ['final state', 'orders'],
      [...byStatus].sort((a, b) => b[1] - a[1]).map(([status, count]) => [status, count]),
    ),
  );
  out.push('');

  const returns = input.returns ?? [];
  if (returns.length > 0) {
    const received = returns.filter((given) => given.received);
    out.push(
      `Returns: ${returns.length} asked for, ${received.length} received (${received.filter((given) => given.full).length} whole orders, ${received.filter((given) => !given.full).length} partly), ` +
        `${received.reduce((sum, given) => sum + given.lines.reduce((units, line) => units + line.quantity, 0), 0)} units back`,
    );
  }
  for (const coupon of input.coupons ?? []) {
    const carrying = input.orders.filter((order) => order.coupon?.code === coupon.code);
    const ends = new Map<string, number>();
    for (const order of carrying) {
      const end =
        order.status === 'FAILED' ? `FAILED ${order.failureCode ?? order.failureReason}` : order.status;
      ends.set(end, (ends.get(end) ?? 0) + 1);
    }
    out.push(
      `Coupon ${coupon.code}: ${carrying.length} orders (${[...ends].map(([end, count]) => `${count} ${end}`).join(', ')}), ` +
        `${coupon.uses ?? 'unknown'} uses held${coupon.usageLimit !== null ? ` of ${coupon.usageLimit}` : ''}`,
    );
  }
  const split = input.orders.filter((order) => (order.parts ?? 1) > 1);
  if (split.length > 0) {
    const ends = new Map<string, number>();
    for (const order of split) ends.set(order.status, (ends.get(order.status) ?? 0) + 1);
    out.push(
      `Split payments: ${split.length} orders paid with two cards (${[...ends].map(([end, count]) => `${count} ${end}`).join(', ')})`,
    );
  }
  const replenishments = input.replenishments ?? [];
  if (replenishments.length > 0) {
    const byStatus = new Map<string, number>();
    for (const r of replenishments) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    out.push(
      `Replenishments: ${replenishments.length} (${[...byStatus].map(([status, count]) => `${count} ${status}`).join(', ')}), ` +
        `${replenishments.filter((r) => r.status === 'RECEIVED').reduce((sum, r) => sum + r.quantity, 0)} units received`,
    );
  }
  if (returns.length > 0 || replenishments.length > 0) out.push('');

  out.push('Faults injected (times from the start of the load)');
  out.push(
    table(
      ['#', 'kind', 'target', 'start', 'duration', 'recovery', 'detail'],
      input.recoveries.map(({ fault, recoveryMs }) => [
        fault.id,
        fault.kind,
        fault.target,
        at(fault.startedAt),
        fault.endedAt === null ? 'not restored' : seconds(fault.endedAt - fault.startedAt),
        recoveryMs === null ? 'none' : seconds(recoveryMs),
        fault.detail ?? '',
      ]),
    ),
  );
  out.push("recovery: from the fault's end to the first order COMPLETED after it");
  out.push('');

  if (input.crashes.size > 0) {
    out.push(
      `Exits the suite did not cause (restarted by the supervisor): ${[...input.crashes]
        .map(([name, count]) => `${name} ×${count}`)
        .join(', ')}`,
    );
    out.push('');
  }

  const letters = new Map<string, number>();
  for (const letter of input.deadLetters) {
    const key = `${letter.topic}\u0000${letter.errorCode}`;
    letters.set(key, (letters.get(key) ?? 0) + 1);
  }
  out.push(`Dead letters (every *.DLQ topic read from offset 0): ${input.deadLetters.length}`);
  if (letters.size > 0) {
    out.push(
      table(
        ['topic', 'error code', 'entries'],
        [...letters].map(([key, count]) => [...key.split('\u0000'), count] as (string | number)[]),
      ),
    );
  }
  out.push('');

  out.push(
    `Settled: ${input.quiescence.quiet ? 'yes' : 'NO'} after ${seconds(input.quiescence.waitedMs)} (${input.quiescence.lastState})`,
  );
  out.push(`Captures counted from ${input.paymentSource}`);
  out.push('');

  out.push('Invariants');
  out.push(
    table(
      ['invariant', 'checked', 'violations'],
      input.invariants.map((result) => [result.id, result.checked, result.violations.length]),
    ),
  );
  for (const result of input.invariants.filter((r) => r.violations.length > 0)) {
    out.push('');
    out.push(
      `${result.id}: ${result.title} — ${result.violations.length} violation(s), first ${Math.min(input.examples, result.violations.length)}:`,
    );
    for (const violation of result.violations.slice(0, input.examples))
      out.push(`  ${violation.subject}: ${violation.reason}`);
  }
  out.push('');
  const failed = input.invariants.filter((result) => result.violations.length > 0).length;
  out.push(
    failed === 0
      ? `All ${input.invariants.length} invariants held (seed ${input.seed}).`
      : `${failed} of ${input.invariants.length} invariants violated (seed ${input.seed}; rerun with --seed ${input.seed} for the same faults).`,
  );
  out.push(`chaos: ${input.invariants.length - failed} passed, ${failed} failed`);
  return out.join('\n');
}
