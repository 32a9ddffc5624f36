/** When the embedded database's vacuum round starts (db/embedded-vacuum.ts): once due, at a quiet moment. */
import { describe, expect, it } from 'vitest';
import { vacuumRoundStarts, vacuumSchedule } from '../../db/embedded-vacuum.js';

const schedule = { everyMs: 60_000, postponeAtMostMs: 300_000 };

describe('an embedded vacuum round', () => {
  it('does not start before it is due, however quiet the thread', () => {
    expect(vacuumRoundStarts(59_999, 0, schedule)).toBe(false);
  });

  it('starts once due when the thread is quiet', () => {
    expect(vacuumRoundStarts(60_000, 0.1, schedule)).toBe(true);
    expect(vacuumRoundStarts(61_000, 0.49, schedule)).toBe(true);
  });

  it('waits while the thread is busy', () => {
    expect(vacuumRoundStarts(60_000, 0.5, schedule)).toBe(false);
    expect(vacuumRoundStarts(359_999, 0.95, schedule)).toBe(false);
  });

  it('runs anyway once it has waited the most it may', () => {
    expect(vacuumRoundStarts(360_000, 1, schedule)).toBe(true);
  });

  it('is due every minute by default and waits at most five minutes for a quiet moment', () => {
    expect(vacuumSchedule()).toEqual({ everyMs: 60_000, postponeAtMostMs: 300_000 });
    expect(vacuumSchedule({ everyMs: 1_000 })).toEqual({ everyMs: 1_000, postponeAtMostMs: 5_000 });
    expect(vacuumSchedule({ everyMs: 1_000, postponeAtMostMs: 0 })).toEqual({ everyMs: 1_000, postponeAtMostMs: 0 });
    expect(vacuumRoundStarts(359_999, 1, vacuumSchedule())).toBe(false);
    expect(vacuumRoundStarts(360_000, 1, vacuumSchedule())).toBe(true);
  });
});
