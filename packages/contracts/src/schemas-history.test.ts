import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findSchemaFiles,
  lintEventSchema,
  loadEventDefinitions,
  repositoryPath,
  schemasDirectory,
} from './schema-files.js';
import { committedRevisions, findIncompatibleRevisions, gitWorkTreeRoot } from './schema-history.js';

/*
 * Every schema file must stay BACKWARD compatible with each of its committed versions, in
 * order, ending with the working tree: a consumer on the new schema must be able to read
 * every message already on the topic. Without git history only the working tree is checked.
 */
describe('schemas/ history', () => {
  const files = findSchemaFiles();
  const gitRoot = gitWorkTreeRoot(schemasDirectory);

  it('finds the schema files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('loads every schema in the working tree with no rule broken', () => {
    expect(() => loadEventDefinitions()).not.toThrow();
  });

  it.each(files.map((file) => [repositoryPath(file), file] as const))(
    '%s is BACKWARD compatible with each of its earlier versions',
    (name, file) => {
      const working = readFileSync(file, 'utf8');
      expect(lintEventSchema(name, working).problems).toEqual([]);
      if (!gitRoot) return;
      const revisions = [...committedRevisions(gitRoot, file), { label: 'working tree', text: working }];
      expect(findIncompatibleRevisions(name, revisions)).toEqual([]);
    },
  );
});

describe('history checks on a scratch repository', () => {
  let repo: string;
  const file = 'schemas/order/sample-event.avsc';
  const schema = (fields: unknown[], name = 'SampleEvent') =>
    `${JSON.stringify({ type: 'record', name, namespace: 'com.firstviscount.events.order', fields }, null, 2)}\n`;
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-c',
        'user.name=Contracts Test',
        '-c',
        'user.email=contracts@test.invalid',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', '--short=12', 'HEAD').trim();
  };
  const v1 = schema([{ name: 'orderId', type: 'string' }]);
  const v2 = schema([
    { name: 'orderId', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ]);

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'contracts-history-'));
    git('init', '-q');
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('has no committed versions before the first commit', () => {
    write(file, v1);
    expect(gitWorkTreeRoot(join(repo, 'schemas'))).toBeDefined();
    expect(committedRevisions(repo, join(repo, file))).toEqual([]);
  });

  it('lists committed versions oldest first, following a rename', () => {
    const first = commit('first version');
    write(file, v2);
    const second = commit('add an optional field');
    git('mv', file, 'schemas/order/renamed-event.avsc');
    const third = commit('move the file');
    const revisions = committedRevisions(repo, join(repo, 'schemas/order/renamed-event.avsc'));
    expect(revisions.map((r) => r.label)).toEqual([first, second, third]);
    expect(revisions.map((r) => r.text)).toEqual([v1, v2, v2]);
    expect(findIncompatibleRevisions('renamed-event.avsc', revisions)).toEqual([]);
  });

  it('fails a working-tree change that breaks compatibility, naming the file, the versions and the field', () => {
    const path = 'schemas/order/renamed-event.avsc';
    const committed = committedRevisions(repo, join(repo, path));
    const working = schema([
      { name: 'orderId', type: 'string' },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'customerId', type: 'string' },
    ]);
    const problems = findIncompatibleRevisions(path, [
      ...committed,
      { label: 'working tree', text: working },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(path);
    expect(problems[0]).toContain(`working tree cannot read data written with ${committed.at(-1)!.label}`);
    expect(problems[0]).toContain('field "customerId" was added without a default');
  });

  it('fails a break buried in the committed history, not only at the tip', () => {
    write('schemas/order/other-event.avsc', schema([{ name: 'amount', type: 'long' }], 'OtherEvent'));
    const first = commit('other event');
    write('schemas/order/other-event.avsc', schema([{ name: 'amount', type: 'int' }], 'OtherEvent'));
    const second = commit('narrow the amount');
    const revisions = committedRevisions(repo, join(repo, 'schemas/order/other-event.avsc'));
    const problems = findIncompatibleRevisions('other-event.avsc', revisions);
    expect(problems).toEqual([
      `other-event.avsc: ${second} cannot read data written with ${first}: ` +
        'field "amount": type changed from long to int, which is not a permitted promotion',
    ]);
  });

  it('starts the history of a new schema written from a copy of another at its own first commit', () => {
    const source = 'schemas/order/other-event.avsc';
    const copy = 'schemas/order/copied-event.avsc';
    // Most of the copy is the source's text, as with a new event modelled on a neighbour: git sees a copy.
    write(copy, schema([{ name: 'amount', type: 'int' }], 'CopiedEvent'));
    const added = commit('a new event modelled on another');
    expect(git('log', '-1', '--format=', '--name-status', '-C', '--find-copies-harder')).toMatch(/^C\d+/m);
    const revisions = committedRevisions(repo, join(repo, copy));
    expect(revisions.map((r) => r.label)).toEqual([added]);
    expect(committedRevisions(repo, join(repo, source))).toHaveLength(2);
  });

  it('reports no git history outside a repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'contracts-no-git-'));
    try {
      expect(gitWorkTreeRoot(outside)).toBeUndefined();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
