import fs from 'node:fs';

/** The parts of a V8 .cpuprofile (as `node --cpu-prof` writes it) that the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  /** Microseconds of the monotonic clock (the one process.hrtime reads). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What a sample's code belongs to: a library, Node.js itself, a workspace package or a service's own code. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: V8 and native)';
    return '(native bindings)';
  }
  // The only WebAssembly in the services is Prisma's query compiler (query_compiler_bg.wasm).
  if (url.startsWith('wasm://')) return '@prisma/client (query compiler, wasm)';
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith('node:')) {
    const parts = file.slice(5).split('/');
    if (parts[0] === 'internal' && parts[1] === 'deps') return `node:deps/${parts[2] ?? ''}`;
    return `node:${parts[0] === 'internal' ? (parts[1] ?? 'internal').replace(/\.js$/, '') : parts[0]}`;
  }
  const nodeModules = file.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const parts = file.slice(nodeModules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /\/(packages|services|simulators|bench|e2e|chaos)\/([^/]+)\/(.*)$/.exec(file);
  if (workspace) {
    const [, kind, name, rest] = workspace;
    if (kind === 'packages') return `@fv/${name}`;
    if (rest!.startsWith('src/generated/')) return `${name} (generated Prisma client)`;
    return `${name} (own code)`;
  }
  return file;
}

/** The concerns a profile is read for, from the modules that serve each. */
const THEMES: [string, RegExp][] = [
  [
    'logging (pino)',
    /^(@pinojs\/.*|pino|pino-pretty|pino-std-serializers|sonic-boom|thread-stream|fast-redact|on-exit-leak-free|quick-format-unescaped|safe-stable-stringify|fast-safe-stringify|pino-abstract-transport|real-require|atomic-sleep)$/,
  ],
  ['Prisma (client runtime, query compiler)', /^(@prisma\/.*|prisma|.* \(generated Prisma client\))$/],
  [
    'PostgreSQL driver (pg)',
    /^(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-.*|pgpass|@prisma\/adapter-pg)$/,
  ],
  ['kafkajs', /^kafkajs$/],
  ['Avro and schema registry', /^(avsc|@kafkajs\/confluent-schema-registry|mappersmith)$/],
  [
    'HTTP framework (fastify)',
    /^(fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|fast-content-type-parse|secure-json-parse|toad-cache|process-warning|abstract-logging|rfdc|fast-decode-uri-component|ret|safe-regex2|json-schema-ref-resolver|fastify-plugin|@lukeed\/ms)$/,
  ],
  ['JSON schema validation (ajv)', /^(ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse)$/],
  ['JWT (fast-jwt)', /^(fast-jwt|asn1\.js|ecdsa-sig-formatter|mnemonist|obliterator)$/],
  ['zod', /^zod$/],
  ['metrics (prom-client)', /^(prom-client|tdigest|bintrees)$/],
  ['OpenTelemetry', /^@opentelemetry\/.*$/],
  ['resilience (cockatiel)', /^cockatiel$/],
  ['tsx / esbuild (transpilation)', /^(tsx|esbuild|get-tsconfig|resolve-pkg-maps)$/],
  ['platform packages (@fv/*)', /^@fv\/.*$/],
  ['service code', /\(own code\)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['V8 and native (program)', /^\(program: V8 and native\)$/],
  ['native bindings (socket writes, microtask queue)', /^\(native bindings\)$/],
  ['HTTP client (fetch, undici)', /^(node:deps\/undici|undici)$/],
  [
    'Node.js core: network and HTTP',
    /^node:(net|http|_http_.*|https|dns|tls|stream_base_commons|streams|stream|url|async_hooks)$/,
  ],
  ['Node.js core: other', /^node:.*$/],
];

export function themeOf(module: string): string {
  for (const [theme, pattern] of THEMES) if (pattern.test(module)) return theme;
  return 'other';
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the non-idle samples of the window. */
  share: number;
}

export interface ProfileSummary {
  /** Milliseconds of non-idle samples in the window. */
  busyMs: number;
  idleMs: number;
  windowMs: number;
  /** False when the window was not inside the profile (the whole profile was summarised instead). */
  windowed: boolean;
  themes: SelfTime[];
  modules: SelfTime[];
  functions: SelfTime[];
}

/**
 * Self time of each function, module and theme over the samples taken in [fromUs, toUs] (monotonic
 * microseconds, as process.hrtime.bigint() / 1000 reads them: start-up, tsx transpilation included, is
 * outside the window). Each sample lasts until the next one.
 */
export function summariseProfile(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
  top = 15,
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const windowed = fromUs >= profile.startTime && fromUs < profile.endTime;
  const from = windowed ? fromUs : profile.startTime;
  const to = windowed ? Math.min(toUs, profile.endTime) : profile.endTime;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  const byTheme = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  let time = profile.startTime;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  for (let i = 0; i < profile.samples.length; i += 1) {
    time += profile.timeDeltas[i] ?? 0;
    if (time < from || time > to) continue;
    const duration = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    const node = nodes.get(profile.samples[i]!);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url, functionName);
    if (module === '(idle)') {
      idleUs += duration;
      continue;
    }
    busyUs += duration;
    const where = url
      ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(packages|services|simulators)\//, '$1/')}:${lineNumber + 1}`
      : '';
    add(byFunction, `${functionName || '(anonymous)'} ${where}`.trim(), duration);
    add(byModule, module, duration);
    add(byTheme, themeOf(module), duration);
  }
  const rank = (map: Map<string, number>, limit: number): SelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    windowMs: (to - from) / 1000,
    windowed,
    themes: rank(byTheme, THEMES.length + 1),
    modules: rank(byModule, top),
    functions: rank(byFunction, top),
  };
}

/**
 * The main thread's profile in a folder of one process's profiles. Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile; thread 0 is the main thread (others are workers,
 * such as the module loader thread of tsx).
 */
export function readProfile(dir: string): CpuProfile | null {
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  const main = files.filter((file) => file.split('.')[4] === '0').sort();
  const file = main.at(-1) ?? files.sort().at(-1);
  return file ? (JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as CpuProfile) : null;
}
