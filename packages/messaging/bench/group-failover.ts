/**
 * How long a killed consumer's partitions take to reach the surviving member of its group, with the
 * platform's group timings (session 10 s, heartbeat 1 s) against kafkajs' defaults (30 s, 3 s), in the
 * same run. One member runs in a child process and is killed with SIGKILL (no LeaveGroup); the clock
 * runs from the kill to the moment the survivor is assigned every partition.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 npx tsx bench/group-failover.ts [repetitions]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { DEFAULT_GROUP_TIMINGS } from '../src/consumer.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('set KAFKA_BROKERS to the broker this measurement may use');
const repetitions = Number(process.argv[2] ?? 3);
const PARTITIONS = 3;

interface Timings {
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
}

if (process.env.FAILOVER_MEMBER) {
  // The member that gets killed.
  const timings = JSON.parse(process.env.FAILOVER_MEMBER) as Timings & { groupId: string; topic: string };
  const kafka = new Kafka({ clientId: 'failover-victim', brokers, logLevel: logLevel.NOTHING });
  const { groupId, sessionTimeout, heartbeatInterval, rebalanceTimeout } = timings;
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval, rebalanceTimeout });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const mine = Object.values(payload.memberAssignment).flat().length;
    process.stdout.write(`joined ${mine}\n`);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: timings.topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
} else {
  const kafka = new Kafka({ clientId: 'failover-bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();

  async function once(timings: Timings): Promise<number> {
    const topic = `failover-bench-${randomUUID()}`;
    const groupId = `failover-bench-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    const survivor: Consumer = kafka.consumer({ groupId, ...timings });
    let assigned = 0;
    let allAt = 0;
    survivor.on(survivor.events.GROUP_JOIN, ({ payload }) => {
      assigned = Object.values(payload.memberAssignment).flat().length;
      if (assigned === PARTITIONS) allAt = Date.now();
    });
    await survivor.connect();
    await survivor.subscribe({ topic, fromBeginning: true });
    await survivor.run({ eachMessage: async () => undefined });
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], {
      env: { ...process.env, FAILOVER_MEMBER: JSON.stringify({ ...timings, groupId, topic }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Wait until the group is split between the two members.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (/joined [1-9]/.test(chunk.toString())) resolve();
      });
    });
    while (assigned === PARTITIONS || assigned === 0) await new Promise((r) => setTimeout(r, 100));
    allAt = 0;
    const killedAt = Date.now();
    child.kill('SIGKILL');
    while (allAt === 0) await new Promise((r) => setTimeout(r, 50));
    const elapsed = allAt - killedAt;
    await survivor.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    return elapsed;
  }

  const configurations: [string, Timings][] = [
    [
      'platform (session 10 s, heartbeat 1 s)',
      {
        sessionTimeout: DEFAULT_GROUP_TIMINGS.sessionTimeoutMs,
        heartbeatInterval: DEFAULT_GROUP_TIMINGS.heartbeatIntervalMs,
        rebalanceTimeout: DEFAULT_GROUP_TIMINGS.rebalanceTimeoutMs,
      },
    ],
    [
      'kafkajs defaults (session 30 s, heartbeat 3 s)',
      { sessionTimeout: 30_000, heartbeatInterval: 3_000, rebalanceTimeout: 60_000 },
    ],
  ];
  console.log(
    `partitions of a SIGKILLed member reaching the survivor; ${repetitions} runs each, broker ${brokers.join(',')}`,
  );
  for (const [name, timings] of configurations) {
    const runs: number[] = [];
    for (let i = 0; i < repetitions; i += 1) runs.push(await once(timings));
    runs.sort((a, b) => a - b);
    const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `  ${name.padEnd(48)} median ${fmt(runs[Math.floor(runs.length / 2)]!)}  min ${fmt(runs[0]!)}  max ${fmt(runs.at(-1)!)}`,
    );
  }
  await admin.disconnect();
  process.exit(0);
}
