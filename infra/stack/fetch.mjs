/** Java and the components' jars: finding a JDK, and fetching the jars from Maven Central once, checked by a manifest. */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { componentJars } from './components.mjs';
import { FETCH_MANIFEST, MIN_JAVA_MAJOR, StackError } from './config.mjs';
import { lastLines, run } from './processes.mjs';

export async function resolveJava(cfg) {
  const javaHome = cfg.env.JAVA_HOME;
  let java = 'java';
  if (javaHome) {
    java = join(javaHome, 'bin', 'java');
    if (!existsSync(java)) {
      throw new StackError(
        `JAVA_HOME is ${javaHome}, but ${java} does not exist. Point JAVA_HOME at a JDK ${MIN_JAVA_MAJOR} ` +
          'or newer, or unset it to use java from PATH.',
      );
    }
  }
  let result;
  try {
    result = await run(java, ['-version'], { env: cfg.env });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new StackError(
        `Java ${MIN_JAVA_MAJOR} or newer is required to run Kafka and the schema registry, but no java ` +
          'was found: JAVA_HOME is not set and java is not on PATH. Install a JDK (e.g. ' +
          `apt-get install openjdk-${MIN_JAVA_MAJOR}-jdk-headless) or set JAVA_HOME.`,
      );
    }
    throw error;
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.output);
  if (result.code !== 0 || !match) {
    throw new StackError(
      `Could not read the Java version from "${java} -version":\n${lastLines(result.output, 5)}`,
    );
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA_MAJOR) {
    throw new StackError(
      `Java ${MIN_JAVA_MAJOR} or newer is required; ${java} is Java ${major}. Install a newer JDK or set ` +
        'JAVA_HOME to one.',
    );
  }
  return java;
}

export async function ensureMaven(cfg) {
  try {
    const result = await run('mvn', ['-v'], { env: cfg.env });
    if (result.code === 0) return;
    throw new StackError(`"mvn -v" failed (exit ${result.code}):\n${lastLines(result.output, 5)}`);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    throw new StackError(
      'Maven (mvn, 3.6.3 or newer) is needed once to download the Kafka and schema registry jars from ' +
        'Maven Central, but mvn is not on PATH. Install it (e.g. apt-get install maven) and run this again.',
    );
  }
}

export function listFiles(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name !== FETCH_MANIFEST) files.push(relative(dir, path));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files.sort();
}

export function pomDigest(component) {
  return createHash('sha256').update(readFileSync(component.pom)).digest('hex');
}

export function readManifest(cfg, component) {
  try {
    return JSON.parse(readFileSync(join(componentJars(cfg, component), FETCH_MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/** The jars are complete when the manifest written after the last fetch matches the pom and every file. */
export function jarsCurrent(cfg, component) {
  const manifest = readManifest(cfg, component);
  if (!manifest || manifest.pomSha256 !== pomDigest(component) || !Array.isArray(manifest.files))
    return false;
  if (manifest.files.length === 0) return false;
  const dir = componentJars(cfg, component);
  return manifest.files.every(([file, size]) => {
    try {
      return statSync(join(dir, file)).size === size;
    } catch {
      return false;
    }
  });
}

export async function ensureJars(cfg, component, log) {
  if (jarsCurrent(cfg, component)) return { fetched: false };
  await ensureMaven(cfg);
  const target = componentJars(cfg, component);
  const staging = `${target}.partial-${process.pid}`;
  const fetchLog = join(cfg.logsDir, `fetch-${component.name}.log`);
  // Leftovers of interrupted fetches (the lock guarantees no other fetch is running).
  for (const entry of readdirSync(cfg.jarsDir)) {
    if (entry.startsWith(`${component.name}.partial-`)) {
      rmSync(join(cfg.jarsDir, entry), { recursive: true, force: true });
    }
  }
  mkdirSync(staging, { recursive: true });
  log(`fetching ${component.title} jars from Maven Central (log: ${fetchLog})`);
  const started = Date.now();
  const mavenArgs = [
    '-B',
    '-ntp',
    '-Dstyle.color=never',
    '-f',
    component.pom,
    ...component.fetchArgs(staging),
  ];
  const result = await run('mvn', mavenArgs, {
    cwd: dirname(component.pom),
    env: cfg.env,
    logFile: fetchLog,
    truncateLog: true,
  });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(
      `Maven could not fetch the ${component.title} jars (exit ${result.code}); full log in ${fetchLog}:\n` +
        lastLines(result.output, 15),
    );
  }
  rmSync(join(staging, '.maven-markers'), { recursive: true, force: true });
  const files = listFiles(staging);
  if (files.length === 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(
      `Maven reported success but left no files for the ${component.title}; see ${fetchLog}.`,
    );
  }
  const durationMs = Date.now() - started;
  writeFileSync(
    join(staging, FETCH_MANIFEST),
    `${JSON.stringify(
      {
        pomSha256: pomDigest(component),
        fetchedAt: new Date().toISOString(),
        durationMs,
        files: files.map((file) => [file, statSync(join(staging, file)).size]),
      },
      null,
      1,
    )}\n`,
  );
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  log(`fetched ${files.length} files for the ${component.title} in ${(durationMs / 1000).toFixed(1)} s`);
  return { fetched: true, ms: durationMs };
}

export function componentVersion(cfg, component) {
  const manifest = readManifest(cfg, component);
  return manifest?.files ? component.versionFrom(manifest.files.map(([file]) => file)) : null;
}
