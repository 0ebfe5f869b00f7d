import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServerOptions {
  /** Folder of initdb, pg_ctl and postgres. */
  binDir: string;
  /** A folder of the suite's own; the cluster, its socket and its log go in it. */
  baseDir: string;
  port: number;
  logFile: string;
}

/**
 * A throwaway PostgreSQL cluster the suite owns: trust authentication, 127.0.0.1 on a free port and a
 * unix socket in its own folder. Never the machine's server. When the suite runs as root the cluster is
 * created and run as the `postgres` user (initdb refuses root).
 */
export class PostgresServer {
  readonly dataDir: string;
  readonly socketDir: string;
  private readonly owner: { uid: number; gid: number } | null;

  constructor(private readonly options: PostgresServerOptions) {
    this.dataDir = path.join(options.baseDir, 'data');
    this.socketDir = path.join(options.baseDir, 'socket');
    this.owner = process.getuid?.() === 0 ? systemUser('postgres') : null;
  }

  get port(): number {
    return this.options.port;
  }

  /** A connection URL for `database` straight to the server (not through a fault proxy). */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.options.port}/${database}`;
  }

  async init(): Promise<void> {
    for (const dir of [this.options.baseDir, this.socketDir]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(this.options.logFile, '');
    if (this.owner) {
      for (const target of [this.options.baseDir, this.socketDir, this.options.logFile])
        fs.chownSync(target, this.owner.uid, this.owner.gid);
    }
    await this.run('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // Sized for seven services with their pools; fsync off: the faults are process crashes, not power cuts,
    // and what a killed server wrote is in the OS cache either way.
    fs.appendFileSync(
      path.join(this.dataDir, 'postgresql.conf'),
      [
        '',
        `port = ${this.options.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.socketDir}'`,
        'max_connections = 300',
        'shared_buffers = 128MB',
        'fsync = off',
        'full_page_writes = off',
        'log_min_messages = warning',
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    await this.run('pg_ctl', ['-D', this.dataDir, '-l', this.options.logFile, '-w', '-t', '120', 'start']);
  }

  /** Stops the server the way a crash does (`-m immediate`): no checkpoint, connections cut. */
  async crash(): Promise<void> {
    await this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async stop(): Promise<void> {
    if (!fs.existsSync(path.join(this.dataDir, 'postmaster.pid'))) return;
    await this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() =>
      this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']),
    );
  }

  /** Creates each database (idempotent). */
  async createDatabases(names: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      for (const name of names) {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
      }
    } finally {
      await client.end();
    }
  }

  private run(program: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(this.options.binDir, program), args, {
        cwd: this.options.baseDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', PGTZ: 'UTC' },
        ...(this.owner ?? {}),
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${program} ${args.join(' ')} exited with ${code}:\n${output.trim()}`));
      });
    });
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) {
    throw new Error(
      `running as root, the suite needs the "${name}" user to run PostgreSQL (initdb refuses root); ${os.hostname()} has none`,
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
