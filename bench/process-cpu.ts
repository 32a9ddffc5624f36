/**
 * CPU seconds used by processes, from /proc (Linux): where a benchmark's time goes across the
 * worker, the API, Temporal and Postgres. Postgres is counted as every process named `postgres`.
 */
import { readFileSync, readdirSync } from 'node:fs';

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

/** What each used between two snapshots, as "label 12.3 s" parts. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): string {
  return Object.keys(after)
    .map((label) => `${label} ${(after[label]! - (before[label] ?? 0)).toFixed(1)} s`)
    .join(', ');
}
