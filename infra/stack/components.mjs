/** Where each component of the stack keeps its files, and the JVM arguments that identify its process. */
import { basename, join } from 'node:path';

export const componentHome = (cfg, component) => join(cfg.stateDir, component.name);
export const componentJars = (cfg, component) => join(cfg.jarsDir, component.name);
export const componentLog = (cfg, component) => join(cfg.logsDir, `${component.name}.log`);
export const componentPidFile = (cfg, component) => join(cfg.runDir, `${component.name}.pid`);

/** JVM arguments that mark a process as this component of this stack; nothing else carries both. */
export function identityArgs(cfg, component) {
  return [`-Dfv.stack.dir=${cfg.stateDir}`, `-Dfv.stack.component=${component.name}`];
}

export function matchFirst(files, pattern) {
  for (const file of files) {
    const match = pattern.exec(basename(file));
    if (match) return match[1];
  }
  return null;
}
