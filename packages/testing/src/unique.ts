import { randomBytes } from 'node:crypto';

/** A name no other test run uses: `<prefix>-<time>-<random>`, safe for topics, groups and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
