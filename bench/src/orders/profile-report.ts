/**
 * Summarises the CPU profiles of an earlier `bench:orders --profile` run again (e.g. with more functions):
 * `node --import tsx src/orders/profile-report.ts <orders-….json> [top]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from '@fv/testing';
import { profiledWindows, summariseProfiles } from './profiles.js';
import { profileText } from './report.js';

const [file, top = '10'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-report.ts <orders-<time>.json> [top functions]\n');
  process.exit(2);
}
type Phase = { rate: number; send: { ok: number }; window: { fromUs: number; toUs: number } };
// A path relative to where the command was typed, else to the repository (pnpm runs scripts in bench/).
const found = [
  path.resolve(process.env.INIT_CWD ?? process.cwd(), file),
  path.resolve(REPOSITORY_ROOT, file),
].find((candidate) => fs.existsSync(candidate));
if (!found) {
  process.stderr.write(`${file}: no such file\n`);
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(found, 'utf8')) as {
  profiles: { dir: string } | null;
  idleWindow?: { fromUs: number; toUs: number; seconds: number } | null;
  phases: { orders: Phase[] };
  search: { phases: Phase[] };
};
if (!report.profiles) {
  process.stderr.write(`${file} has no profiles (run with --profile)\n`);
  process.exit(2);
}
const windows = profiledWindows(report.idleWindow ?? null, [
  ...report.phases.orders,
  ...report.search.phases,
]);
process.stdout.write(`${profileText(summariseProfiles(report.profiles.dir, windows, 40), Number(top))}\n`);
