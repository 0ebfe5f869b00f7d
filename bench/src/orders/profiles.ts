import fs from 'node:fs';
import path from 'node:path';
import { readProfile, summariseProfile, type ProfileSummary } from '../cpu-profile.js';

export interface ProfiledWindow {
  /** "10/s" for a rate, "idle" for the idle platform. */
  label: string;
  /** What self time is divided by: the orders accepted in the window, or its seconds. */
  per: number;
  unit: 'ms/order' | 'ms/s';
  fromUs: number;
  toUs: number;
}

export interface ServerProfile {
  server: string;
  window: Omit<ProfiledWindow, 'fromUs' | 'toUs'>;
  summary: ProfileSummary;
}

/** Each server's main-thread profile in `profileDir/<server>/`, summarised over each window. */
export function summariseProfiles(profileDir: string, windows: ProfiledWindow[], top = 25): ServerProfile[] {
  const summaries: ServerProfile[] = [];
  for (const server of fs.readdirSync(profileDir).sort()) {
    const dir = path.join(profileDir, server);
    if (!fs.statSync(dir).isDirectory()) continue;
    const profile = readProfile(dir);
    if (!profile) continue;
    for (const { fromUs, toUs, ...window } of windows)
      summaries.push({ server, window, summary: summariseProfile(profile, fromUs, toUs, top) });
  }
  return summaries;
}

interface PhaseLike {
  rate: number;
  send: { ok: number };
  window: { fromUs: number; toUs: number };
}

/** The windows of a run: the idle platform (per second) and each orders phase (per order). */
export function profiledWindows(
  idle: { fromUs: number; toUs: number; seconds: number } | null,
  phases: PhaseLike[],
): ProfiledWindow[] {
  return [
    ...(idle
      ? [{ label: 'idle', per: idle.seconds, unit: 'ms/s' as const, fromUs: idle.fromUs, toUs: idle.toUs }]
      : []),
    ...phases.map((phase) => ({
      label: `${phase.rate}/s`,
      per: phase.send.ok,
      unit: 'ms/order' as const,
      fromUs: phase.window.fromUs,
      toUs: phase.window.toUs,
    })),
  ];
}
