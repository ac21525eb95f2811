import { readFile } from 'node:fs/promises';

/** What tells one process from a later one that got the same PID, on Linux. */
export interface ProcessIdentity {
  /** Field 22 of `/proc/<pid>/stat`: clock ticks from boot to the process's start. */
  readonly startTime: string;
  /** `/proc/sys/kernel/random/boot_id`: start times count from this boot. */
  readonly bootId: string;
}

/** The process's identity; undefined without /proc (macOS) or when the process is gone. */
export async function processIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  const [stat, bootId] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined),
  ]);
  const startTime = stat === undefined ? undefined : statStartTime(stat);
  return startTime && bootId ? { startTime, bootId: bootId.trim() } : undefined;
}

/**
 * Field 22 of a `/proc/<pid>/stat` line. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function statStartTime(stat: string): string | undefined {
  const afterName = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  // afterName[0] is field 3 (the state).
  const value = afterName[22 - 3];
  return value && /^\d+$/.test(value) ? value : undefined;
}
