import type { Db } from '../shared/db.js';

const FAILED_KINDS = ['FAILURE', 'TIMEOUT', 'MANUAL'];

export interface OutcomeRow {
  key: string;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  avg_ms: number | null;
}

interface RawOutcome {
  key: string;
  total: bigint;
  completed: bigint;
  failed: bigint;
  cancelled: bigint;
  avg_ms: number | null;
}

function outcome(row: RawOutcome): OutcomeRow {
  return {
    key: row.key,
    total: Number(row.total),
    completed: Number(row.completed),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    avg_ms: row.avg_ms,
  };
}

const OUTCOME_COLUMNS = `count(*) as total,
  count(*) filter (where status = 'COMPLETED') as completed,
  count(*) filter (where context->'trigger'->>'kind' = any($4::text[])) as failed,
  count(*) filter (where context->'trigger'->>'kind' = 'CANCELLATION') as cancelled,
  (avg(extract(epoch from (completed_at - started_at)) * 1000) filter (where status = 'COMPLETED'))::float8 as avg_ms`;

const PERIOD = `started_at >= $1 and started_at < $2 and ($3::text is null or workflow_type = $3)`;

/** Workflows started in [from, to): outcomes by `groupBy` (a SQL expression giving text). */
export async function outcomes(
  db: Db,
  from: Date,
  to: Date,
  type: string | null,
  groupBy: string,
): Promise<OutcomeRow[]> {
  const rows = await db.$queryRawUnsafe<RawOutcome[]>(
    `select ${groupBy} as key, ${OUTCOME_COLUMNS} from workflows where ${PERIOD} group by 1 order by 1`,
    from,
    to,
    type,
    FAILED_KINDS,
  );
  return rows.map(outcome);
}

export async function stepPerformance(db: Db, from: Date, to: Date, type: string | null) {
  const rows = await db.$queryRawUnsafe<
    {
      step_name: string;
      completed: bigint;
      failed: bigint;
      avg_ms: number | null;
      failures: string[] | null;
    }[]
  >(
    `with steps as (
       select s.step_name, s.status, s.error->>'code' as code,
              extract(epoch from (s.completed_at - s.started_at)) * 1000 as ms
         from workflow_steps s join workflows w on w.id = s.workflow_id
        where w.started_at >= $1 and w.started_at < $2 and ($3::text is null or w.workflow_type = $3)
     ), codes as (
       select step_name, code, count(*) as n from steps where status = 'FAILED' and code is not null group by 1, 2
     )
     select s.step_name,
            count(*) filter (where s.status = 'COMPLETED') as completed,
            count(*) filter (where s.status = 'FAILED') as failed,
            (avg(s.ms) filter (where s.status = 'COMPLETED' and s.ms is not null))::float8 as avg_ms,
            (select array_agg(code order by n desc, code) from (select code, n from codes c where c.step_name = s.step_name order by n desc, code limit 3) top) as failures
       from steps s group by s.step_name`,
    from,
    to,
    type,
  );
  return rows.map((row) => ({
    step: row.step_name,
    completed: Number(row.completed),
    failed: Number(row.failed),
    avgMs: row.avg_ms,
    commonFailures: row.failures ?? [],
  }));
}

export async function compensationFigures(db: Db, from: Date, to: Date, type: string | null) {
  const [totals, reasons] = await Promise.all([
    db.$queryRawUnsafe<
      { total: bigint; successful: bigint; failed: bigint; in_progress: bigint; avg_ms: number | null }[]
    >(
      `select count(*) as total,
              count(*) filter (where s.status = 'COMPENSATED') as successful,
              count(*) filter (where s.status = 'COMPENSATION_FAILED') as failed,
              count(*) filter (where s.status = 'COMPENSATING') as in_progress,
              (avg(extract(epoch from (s.compensation_ended_at - s.compensation_started_at)) * 1000)
                 filter (where s.compensation_ended_at is not null))::float8 as avg_ms
         from sagas s join workflows w on w.id = s.workflow_id
        where s.compensation_started_at >= $1 and s.compensation_started_at < $2 and ($3::text is null or w.workflow_type = $3)`,
      from,
      to,
      type,
    ),
    db.$queryRawUnsafe<{ reason: string; count: bigint }[]>(
      `select s.state->'trigger'->>'reason' as reason, count(*) as count
         from sagas s join workflows w on w.id = s.workflow_id
        where s.compensation_started_at >= $1 and s.compensation_started_at < $2 and ($3::text is null or w.workflow_type = $3)
        group by 1 order by 2 desc, 1 limit 5`,
      from,
      to,
      type,
    ),
  ]);
  const row = totals[0]!;
  return {
    total: Number(row.total),
    successful: Number(row.successful),
    failed: Number(row.failed),
    inProgress: Number(row.in_progress),
    avgMs: row.avg_ms,
    reasons: reasons.map((reason) => ({ reason: reason.reason, count: Number(reason.count) })),
  };
}
