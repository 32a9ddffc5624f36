/**
 * CPU seconds used by processes, from /proc (Linux): where a benchmark's time goes across the
 * worker, the API, Temporal and Postgres. Postgres is counted as every process named `postgres`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TICKS_PER_SECOND = 100;

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

export type CpuSnapshot = Record<string, number>;

/** CPU seconds so far of each named process (a pid, or `postgres` for the server's processes). */
export function cpuSnapshot(processes: Record<string, number | 'postgres'>): CpuSnapshot {
  return Object.fromEntries(
    Object.entries(processes).map(([label, pid]) => [label, pid === 'postgres' ? pidsNamed('postgres').reduce((sum, p) => sum + cpuOf(p), 0) : cpuOf(pid)]),
  );
}

/** CPU seconds each used between two snapshots. */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(Object.keys(after).map((label) => [label, after[label]! - (before[label] ?? 0)]));
}

/** CPU seconds used, as "label 12.3 s" parts. */
export function cpuSeconds(used: CpuSnapshot): string {
  return Object.entries(used)
    .map(([label, seconds]) => `${label} ${seconds.toFixed(1)} s`)
    .join(', ');
}

/** CPU milliseconds an item, all processes together and each: `used` divided over `items`. */
export function cpuPerItem(used: CpuSnapshot, items: number): { totalMs: number; parts: string } {
  const each = Object.entries(used).map(([label, seconds]) => [label, (seconds * 1000) / Math.max(1, items)] as const);
  return { totalMs: each.reduce((sum, [, value]) => sum + value, 0), parts: each.map(([label, value]) => `${label} ${value.toFixed(1)}`).join(', ') };
}

/**
 * The most items a second the machine's cores could finish, each costing `msEach` of CPU across
 * all processes: a ceiling for a CPU-bound pipeline whose processes share these cores.
 */
export function ceilingPerSecond(msEach: number, cores = availableParallelism()): number {
  return (cores * 1000) / msEach;
}
