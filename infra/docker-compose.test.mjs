// Static checks of docker-compose.yml and the Dockerfiles (`node --test infra/`, part of `npm test`).
// No Docker engine runs here: the file is read as the compose specification describes it, every file it
// names must exist, and each service's port and variables must be those its configuration reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Service keys of the compose specification (https://github.com/compose-spec/compose-spec). */
const SERVICE_KEYS = new Set(
  `annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name
  cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset
  credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt dns_search domainname
  entrypoint env_file environment expose extends external_links extra_hosts gpus group_add healthcheck
  hostname image init ipc isolation labels label_file links logging mac_address mem_limit mem_reservation
  mem_swappiness memswap_limit network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform
  ports post_start pre_stop privileged profiles pull_policy read_only restart runtime scale secrets
  security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits
  use_api_socket user userns_mode uts volumes volumes_from working_dir`.split(/\s+/),
);
const TOP_KEYS = new Set([
  'version',
  'name',
  'include',
  'services',
  'networks',
  'volumes',
  'secrets',
  'configs',
  'models',
]);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
/** Variables holding addresses of other containers (SCHEMA_REGISTRY_URL is checked on its own). */
/** The one Dockerfile every server of the repository is built with (build arguments name the server). */
const SERVER_DOCKERFILE = 'infra/docker/service.Dockerfile';

const ADDRESSES = new Set([
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'COORDINATION_URL',
  'ORDERS_URL',
  'PAYMENT_PROVIDER_URL',
  'SUPPLIER_URL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
]);
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;

/** The compose file as Compose reads it: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
export function loadCompose(file = path.join(ROOT, 'docker-compose.yml')) {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true });
}

/** `8081`, `'127.0.0.1:8081:8081'`, `'9090:9090/tcp'` → { host, container }. */
export function parsePort(entry) {
  if (typeof entry === 'number') return { host: null, container: entry };
  if (typeof entry === 'object') return { host: Number(entry.published), container: Number(entry.target) };
  const parts = String(entry)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  const container = Number(parts.at(-1));
  const host = parts.length > 1 ? Number(parts.at(-2)) : null;
  return { host, container };
}

/** Problems of the file's structure against the compose specification; empty when it is sound. */
export function structureProblems(compose, root = ROOT) {
  const problems = [];
  for (const key of Object.keys(compose)) {
    if (!TOP_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key ${key}`);
  }
  const services = compose.services ?? {};
  const volumes = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, service] of Object.entries(services)) {
    const at = `services.${name}`;
    for (const key of Object.keys(service)) {
      if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${at}: unknown key ${key}`);
    }
    if (!service.image && !service.build) problems.push(`${at}: neither image nor build`);
    if (service.build) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      const context = path.resolve(root, build.context ?? '.');
      if (!fs.existsSync(context)) problems.push(`${at}: build context ${build.context} does not exist`);
      const dockerfile = path.resolve(context, build.dockerfile ?? 'Dockerfile');
      if (!fs.existsSync(dockerfile))
        problems.push(`${at}: ${path.relative(root, dockerfile)} does not exist`);
    }
    for (const entry of service.ports ?? []) {
      const { host, container } = parsePort(entry);
      for (const port of [host, container]) {
        if (port !== null && !(Number.isInteger(port) && port > 0 && port < 65536)) {
          problems.push(`${at}: port ${JSON.stringify(entry)} is not valid`);
        }
      }
    }
    for (const entry of service.volumes ?? []) {
      const [source] = String(typeof entry === 'object' ? entry.source : entry).split(':');
      if (source.startsWith('.') || source.startsWith('/')) {
        if (!fs.existsSync(path.resolve(root, source))) problems.push(`${at}: ${source} does not exist`);
      } else if (!volumes.has(source)) {
        problems.push(`${at}: volume ${source} is not declared under volumes`);
      }
    }
    if (service.healthcheck) {
      const { test, interval, timeout } = service.healthcheck;
      if (!Array.isArray(test) || !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0])) {
        problems.push(`${at}: healthcheck.test must be a list starting with CMD, CMD-SHELL or NONE`);
      }
      for (const [key, value] of Object.entries({ interval, timeout })) {
        if (value !== undefined && !DURATION.test(value)) problems.push(`${at}: healthcheck.${key} ${value}`);
      }
    }
    const dependsOn = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((dep) => [dep, { condition: 'service_started' }]))
      : (service.depends_on ?? {});
    for (const [dependency, { condition }] of Object.entries(dependsOn)) {
      const target = services[dependency];
      if (!target) {
        problems.push(`${at}: depends on ${dependency}, which is not a service`);
        continue;
      }
      if (!CONDITIONS.has(condition))
        problems.push(`${at}: depends_on ${dependency}: condition ${condition}`);
      if (condition === 'service_healthy' && !hasHealthcheck(target, root)) {
        problems.push(`${at}: waits for ${dependency} to be healthy, which has no health check`);
      }
      // Enabling the dependant must enable what it depends on.
      const missing = (service.profiles ?? []).length
        ? (service.profiles ?? []).filter((p) => target.profiles && !target.profiles.includes(p))
        : target.profiles?.length
          ? ['(default)']
          : [];
      if (missing.length) problems.push(`${at}: depends on ${dependency}, absent from profile ${missing}`);
    }
  }
  return problems;
}

function hasHealthcheck(service, root) {
  if (service.healthcheck) return service.healthcheck.disable !== true;
  const dockerfile =
    service.build &&
    path.resolve(root, service.build.context ?? '.', service.build.dockerfile ?? 'Dockerfile');
  return Boolean(
    dockerfile && fs.existsSync(dockerfile) && /^HEALTHCHECK\s+/m.test(fs.readFileSync(dockerfile, 'utf8')),
  );
}

/** Problems of the servers' Dockerfile: runs as a non-root user, checks its health, runs the compiled build. */
export function dockerfileProblems(text) {
  const problems = [];
  const stages = text.split(/^FROM\s+/m).slice(1);
  if (stages.length < 2) problems.push('is not multi-stage');
  const final = stages.at(-1) ?? '';
  const user = final.match(/^USER\s+(\S+)/m)?.[1];
  if (!user) problems.push('has no USER in its final stage');
  else if (['root', '0', '0:0', 'root:root'].includes(user)) problems.push(`runs as ${user}`);
  if (!/^HEALTHCHECK\s+(--\S+\s+)*(\\\s*)?CMD\s/m.test(final)) problems.push('has no HEALTHCHECK CMD');
  if (!/^COPY\s+--from=\S+.*\/dist\s+\.\/dist\s*$/m.test(final))
    problems.push('does not copy the build output (dist)');
  if (!/^CMD\s+\["node",\s*"dist\/main\.js"\]/m.test(final)) problems.push('does not run node dist/main.js');
  if (
    /^(RUN|COPY|ADD)\b.*\bnode_modules\b/m.test(final) &&
    !/^COPY\s+--from=\S+\s+(--chown=\S+\s+)?\/deploy\/node_modules\s/m.test(final)
  ) {
    problems.push('copies node_modules from elsewhere than the production deployment');
  }
  // The port comes from the PORT build argument: exposed, set for the process, and probed by the health check.
  if (!/^ARG\s+PORT\s*$/m.test(final)) problems.push('takes no PORT build argument in its final stage');
  if (!/^EXPOSE\s+\$\{PORT\}\s*$/m.test(final)) problems.push('does not EXPOSE the PORT build argument');
  if (!/\bPORT=\$\{PORT\}/.test(final)) problems.push('does not set PORT from its build argument');
  if (!/HEALTHCHECK[\s\S]*process\.env\.PORT[\s\S]*\/health\/ready/.test(final))
    problems.push('health check does not call /health/ready on PORT');
  return problems;
}

/** The servers the compose file runs from this repository: services/* and simulators/*. */
function workspaceServers() {
  return ['services', 'simulators'].flatMap((group) =>
    fs
      .readdirSync(path.join(ROOT, group))
      .filter((name) => fs.existsSync(path.join(ROOT, group, name, 'package.json')))
      .map((name) => {
        const dir = path.join(group, name);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
        return { name, dir, port: manifest.platform?.port, packageName: manifest.name };
      }),
  );
}

/**
 * The variable names each server's configuration schema reads, by importing its src/config.ts (and the
 * OTEL_* variables of the telemetry) in one tsx process.
 */
function configVariables(servers) {
  const script = `
    const result = {};
    const telemetry = await import(${JSON.stringify(path.join(ROOT, 'packages/service-kit/src/telemetry/telemetry-config.ts'))});
    result.OTEL = Object.keys(telemetry.telemetryConfigSchema.shape);
    for (const [name, file] of ${JSON.stringify(servers.map((s) => [s.name, path.join(ROOT, s.dir, 'src/config.ts')]))}) {
      const module = await import(file);
      const keys = new Set();
      for (const value of Object.values(module)) {
        if (value && typeof value === 'object' && value.shape && typeof value.safeParse === 'function') {
          for (const key of Object.keys(value.shape)) keys.add(key);
        }
      }
      result[name] = [...keys];
    }
    process.stdout.write(JSON.stringify(result));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: path.join(ROOT, 'services', 'platform-coordination'),
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test' },
  });
  assert.equal(run.status, 0, `reading the configuration schemas failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The default port of a service definition (`port: 8084`, or `port: NAME` with `const NAME = 8081`). */
function definitionPort(source) {
  const value = source.match(/\bport:\s*(\d+|[A-Z_]+)\b/)?.[1];
  if (!value || /^\d+$/.test(value)) return Number(value);
  return Number(source.match(new RegExp(`const ${value} = (\\d+)`))?.[1]);
}

/** `http://name:port/...` or `name:port` → { host, port }. */
function hostPort(value) {
  const url = value.includes('://') ? new URL(value) : new URL(`tcp://${value}`);
  return { host: url.hostname, port: Number(url.port) };
}

describe('docker-compose.yml', () => {
  const compose = loadCompose();
  const services = compose.services;
  const servers = workspaceServers();

  it('has the structure of the compose specification, and every reference resolves', () => {
    assert.deepEqual(structureProblems(compose), []);
  });

  it('runs the infrastructure without a profile and every server of the repository in the platform profile', () => {
    for (const name of ['redpanda', 'console', 'postgres']) {
      assert.ok(services[name], `${name} missing`);
      assert.equal(services[name].profiles, undefined, `${name} must run without a profile`);
    }
    for (const name of ['grafana', 'jaeger', 'prometheus-platform']) {
      assert.ok(services[name]?.profiles?.includes('platform'), `${name} must be in the platform profile`);
    }
    for (const server of servers) {
      const service = services[server.name];
      assert.ok(service, `${server.dir} has no service in docker-compose.yml`);
      assert.deepEqual(service.profiles, ['platform'], `${server.name}: profiles`);
      assert.equal(service.build.dockerfile, SERVER_DOCKERFILE, `${server.name}: dockerfile`);
      assert.deepEqual(
        service.build.args,
        { PACKAGE: server.packageName, PACKAGE_DIR: server.dir, PORT: String(server.port) },
        `${server.name}: build arguments`,
      );
      assert.ok(
        service.deploy?.resources?.limits?.memory && service.deploy.resources.limits.cpus,
        `${server.name}: limits`,
      );
    }
  });

  it('gives each server its own port everywhere: PORT, published port, Dockerfile, package.json and Prometheus', () => {
    const scraped = parse(
      fs.readFileSync(path.join(ROOT, 'infra/prometheus/prometheus.compose.yml'), 'utf8'),
    );
    const targets = scraped.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    for (const server of servers) {
      const service = services[server.name];
      assert.ok(Number.isInteger(server.port), `${server.dir}/package.json has no platform.port`);
      assert.equal(Number(service.environment.PORT), server.port, `${server.name}: PORT`);
      assert.deepEqual(service.ports.map(parsePort), [{ host: server.port, container: server.port }]);
      assert.ok(
        targets.includes(`${server.name}:${server.port}`),
        `Prometheus does not scrape ${server.name}`,
      );
      const definition = path.join(ROOT, server.dir, 'src/service.ts');
      if (fs.existsSync(definition)) {
        assert.equal(
          definitionPort(fs.readFileSync(definition, 'utf8')),
          server.port,
          `${server.name}: src/service.ts port`,
        );
      }
    }
  });

  it('sets only variables each service configuration reads, and the ones the containers need', () => {
    const known = configVariables(servers);
    for (const server of servers) {
      const environment = services[server.name].environment;
      const names = Object.keys(environment);
      const unknown = names.filter(
        (name) => !known[server.name].includes(name) && !known.OTEL.includes(name),
      );
      assert.deepEqual(unknown, [], `${server.name} sets variables its configuration does not read`);
      for (const needed of ['HOST', 'PORT', 'DATABASE_URL'])
        assert.ok(names.includes(needed), `${server.name}: ${needed}`);
      assert.equal(environment.HOST, '0.0.0.0', `${server.name} must listen on every interface`);
      if (server.dir.startsWith('services')) {
        for (const needed of [
          'NODE_ENV',
          'KAFKA_BROKERS',
          'SCHEMA_REGISTRY_URL',
          'JWT_SECRET',
          'COORDINATION_URL',
          'ADVERTISED_HOST',
          'OTEL_TRACES_EXPORTER',
          'OTEL_EXPORTER_OTLP_ENDPOINT',
        ]) {
          assert.ok(names.includes(needed), `${server.name}: ${needed}`);
        }
        assert.equal(environment.ADVERTISED_HOST, server.name, `${server.name}: ADVERTISED_HOST`);
      }
    }
  });

  it('points every address at a service of the file, on the port it listens on', () => {
    const listens = new Map(servers.map((s) => [s.name, s.port]));
    listens.set('redpanda', 29092);
    listens.set('postgres', 5432);
    listens.set('jaeger', 4318);
    const registryPort = registryPortOf(services.redpanda);
    const databases = [
      ...fs.readFileSync(path.join(ROOT, 'infra/postgres/init.sql'), 'utf8').matchAll(/^\s*'([a-z_]+)',?$/gm),
    ].map((m) => m[1]);
    for (const server of servers) {
      const environment = services[server.name].environment;
      for (const [name, value] of Object.entries(environment)) {
        if (name === 'SCHEMA_REGISTRY_URL') {
          assert.deepEqual(
            hostPort(value),
            { host: 'redpanda', port: registryPort },
            `${server.name}: ${name}`,
          );
        } else if (ADDRESSES.has(name)) {
          for (const address of String(value).split(',')) {
            const { host, port } = hostPort(address);
            assert.ok(services[host], `${server.name}: ${name} names ${host}, which is not a service`);
            assert.equal(port, listens.get(host), `${server.name}: ${name} uses port ${port} of ${host}`);
            if (name === 'DATABASE_URL') {
              const database = new URL(address).pathname.slice(1);
              assert.ok(
                databases.includes(database),
                `${server.name}: database ${database} is not created by infra/postgres/init.sql`,
              );
            }
            const dependsOn = services[server.name].depends_on ?? {};
            if (host !== server.name && ['postgres', 'redpanda'].includes(host)) {
              assert.ok(dependsOn[host], `${server.name} uses ${host} without depending on it`);
            }
          }
        }
      }
    }
  });

  it('mounts the Redpanda Console configuration with the schema registry, and provisions Grafana', () => {
    const console = services.console;
    const mounted = console.volumes.map((v) => v.split(':'));
    const [source, target] = mounted.find(([, t]) => t === console.environment.CONFIG_FILEPATH) ?? [];
    assert.ok(source, 'the Console configuration file is not mounted at CONFIG_FILEPATH');
    const config = parse(fs.readFileSync(path.join(ROOT, source), 'utf8'));
    assert.equal(target, console.environment.CONFIG_FILEPATH);
    assert.equal(config.kafka.schemaRegistry.enabled, true);
    assert.deepEqual(config.kafka.brokers, [`redpanda:${29092}`]);
    assert.deepEqual(config.kafka.schemaRegistry.urls, [
      `http://redpanda:${registryPortOf(services.redpanda)}`,
    ]);
    const grafana = services.grafana.volumes.map((v) => v.split(':')[0]);
    for (const folder of [
      './infra/observability/grafana/provisioning',
      './infra/observability/grafana/dashboards',
    ]) {
      assert.ok(grafana.includes(folder), `Grafana does not mount ${folder}`);
    }
    const dashboards = fs.readdirSync(path.join(ROOT, 'infra/observability/grafana/dashboards'));
    assert.ok(
      dashboards.some((file) => file.endsWith('.json')),
      'no dashboard to provision',
    );
  });

  it('builds every server with one Dockerfile that passes its checks', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, SERVER_DOCKERFILE), 'utf8');
    assert.deepEqual(dockerfileProblems(dockerfile), [], SERVER_DOCKERFILE);
  });

  it('fails on a broken reference: a missing Dockerfile, an unknown dependency, an undeclared volume', () => {
    const broken = JSON.parse(JSON.stringify(compose));
    broken.services.orders.build.dockerfile = 'services/orders/Dockerfile.missing';
    broken.services.orders.depends_on.kafka = { condition: 'service_healthy' };
    broken.services.postgres.volumes.push('nowhere:/data');
    broken.services.grafana.volumes.push('./infra/observability/grafana/missing:/x:ro');
    assert.deepEqual(structureProblems(broken), [
      'services.postgres: volume nowhere is not declared under volumes',
      'services.grafana: ./infra/observability/grafana/missing does not exist',
      'services.orders: services/orders/Dockerfile.missing does not exist',
      'services.orders: depends on kafka, which is not a service',
    ]);
  });

  it('fails on a Dockerfile that runs as root, has no health check or does not run the build', () => {
    const good = fs.readFileSync(path.join(ROOT, SERVER_DOCKERFILE), 'utf8');
    assert.deepEqual(dockerfileProblems(good), []);
    const bad = good
      .replace(/^USER node$/m, 'USER root')
      .replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, '')
      .replace('CMD ["node", "dist/main.js"]', 'CMD ["npx", "tsx", "src/main.ts"]');
    assert.deepEqual(dockerfileProblems(bad), [
      'runs as root',
      'has no HEALTHCHECK CMD',
      'does not run node dist/main.js',
      'health check does not call /health/ready on PORT',
    ]);
  });
});

/** The port Redpanda's schema registry listens on inside the network (from its --schema-registry-addr). */
function registryPortOf(redpanda) {
  const flag = redpanda.command.find((arg) => arg.startsWith('--schema-registry-addr='));
  return Number(flag.split(':').at(-1));
}
