import { execFileSync } from 'node:child_process';
import { relative, sep } from 'node:path';
import { checkBackwardCompatibility } from './compatibility.js';

/** One version of a schema file: a commit's copy, or the working tree's. */
export interface SchemaRevision {
  /** `abc1234` for a commit, `working tree` for the file on disk. */
  readonly label: string;
  readonly text: string;
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/**
 * The root of the git work tree containing `directory`, or `undefined` when there is no
 * usable git history (git is not installed, or the folder is not in a repository).
 */
export function gitWorkTreeRoot(directory: string): string | undefined {
  try {
    return git(directory, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    return undefined;
  }
}

/**
 * Every committed version of `file` (an absolute path inside `root`), oldest first,
 * following renames. Empty for a file that was never committed, or a repository without
 * commits. Commits that delete the file are skipped. The history starts where the file was
 * added: a new file that git pairs with an existing one as a copy (a new event modelled on a
 * neighbour) is a schema of its own, not a later version of the one it was copied from.
 */
export function committedRevisions(root: string, file: string): SchemaRevision[] {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    return []; // no commits yet
  }
  const path = relative(root, file).split(sep).join('/');
  const log = git(root, [
    'log',
    '--format=commit %H',
    '--name-status',
    '--follow',
    '--diff-filter=AMRC',
    '--',
    path,
  ]);
  const entries: { sha: string; path: string }[] = [];
  let sha: string | undefined;
  for (const line of log.split('\n')) {
    if (line.startsWith('commit ')) {
      sha = line.slice('commit '.length).trim();
      continue;
    }
    if (!line.trim() || !sha) continue;
    // "M\tpath", "A\tpath", "R097\told\tnew", "C064\tsource\tcopy": the last path is this file's.
    const [status = '', ...paths] = line.split('\t');
    entries.push({ sha, path: paths.at(-1)!.trim() });
    sha = undefined;
    if (status.startsWith('A') || status.startsWith('C')) break; // newest first: this is where it began
  }
  return entries.reverse().map((entry) => ({
    label: entry.sha.slice(0, 12),
    text: git(root, ['show', `${entry.sha}:${entry.path}`]),
  }));
}

/**
 * Checks that each revision can read data written with the one before it (Avro BACKWARD),
 * in order. Returns one line per problem, naming the file, the two revisions and the field.
 * A committed revision that is not valid JSON could never have been registered and is skipped.
 */
export function findIncompatibleRevisions(file: string, revisions: readonly SchemaRevision[]): string[] {
  const parsed: { label: string; schema: unknown }[] = [];
  const problems: string[] = [];
  revisions.forEach((revision, index) => {
    try {
      parsed.push({ label: revision.label, schema: JSON.parse(revision.text) });
    } catch (error) {
      if (index === revisions.length - 1)
        problems.push(`${file} (${revision.label}): not valid JSON: ${(error as Error).message}`);
    }
  });
  for (let i = 1; i < parsed.length; i++) {
    const previous = parsed[i - 1]!;
    const next = parsed[i]!;
    let issues;
    try {
      issues = checkBackwardCompatibility(previous.schema, next.schema);
    } catch (error) {
      problems.push(
        `${file} (${next.label}): cannot be compared with ${previous.label}: ${(error as Error).message}`,
      );
      continue;
    }
    for (const issue of issues) {
      problems.push(
        `${file}: ${next.label} cannot read data written with ${previous.label}: ${issue.message}`,
      );
    }
  }
  return problems;
}
