import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Debian's Chromium (playwright's own browser builds cannot be downloaded on these machines). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless, quiet browser with nothing of its own reaching the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function apt(args: string[]): void {
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0)
    throw new Error(`apt-get ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/**
 * Installs Debian's `chromium` package when it is missing (root only: anyone else is told the command).
 * Runs once per machine: later runs find the browser and do nothing.
 */
export function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${CHROMIUM_PATH} does not exist`);
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the browser tests need Chromium: sudo apt-get update && sudo apt-get install -y chromium',
    );
  }
  console.log('installing Chromium (apt-get install chromium), once for this machine');
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'chromium']);
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium, but ${CHROMIUM_PATH} is missing`);
  return CHROMIUM_PATH;
}
