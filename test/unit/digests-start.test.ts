/** When the API starts the digests' workflow (api/digests.ts): on ready, again until it runs, never after close. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DIGESTS_START, startDigestsOnReady, type DigestDesk } from '../../api/digests.js';

/** A desk whose starts fail `failures` times, then succeed; counts the attempts. */
function deskFailing(failures: number) {
  const attempts: Array<{ deadline: Date; aborted: () => boolean }> = [];
  const desk: DigestDesk = {
    async ensureRunning(until) {
      attempts.push({ deadline: until!.deadline, aborted: () => until!.signal.aborted });
      if (attempts.length <= failures) throw new Error('Temporal is unavailable');
    },
    exposureOpened: async () => undefined,
    sendNow: async () => undefined,
  };
  return { desk, attempts };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe("the API's start of the digests' workflow", () => {
  it('gives an attempt 3 s and tries again every 30 s by default (as the README says)', () => {
    expect(DIGESTS_START).toEqual({ attemptMs: 3_000, againMs: 30_000 });
  });

  it('starts it once on ready, each attempt with its deadline', async () => {
    const { desk, attempts } = deskFailing(0);
    const app = Fastify();
    const before = Date.now();
    startDigestsOnReady(app, desk, { attemptMs: 3_000, againMs: 10 });
    await app.ready();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.close();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.deadline.getTime()).toBeGreaterThanOrEqual(before + 3_000);
  });

  it('tries again until it runs', async () => {
    const { desk, attempts } = deskFailing(2);
    const app = Fastify({ logger: false });
    startDigestsOnReady(app, desk, { attemptMs: 1_000, againMs: 10 });
    await app.ready();
    await until(() => attempts.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.close();
    expect(attempts).toHaveLength(3);
  });

  it('tries no more once closed, and cancels the attempt under way', async () => {
    const { desk, attempts } = deskFailing(1_000);
    const app = Fastify({ logger: false });
    startDigestsOnReady(app, desk, { attemptMs: 1_000, againMs: 50 });
    await app.ready();
    await app.close();
    const seen = attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toHaveLength(seen);
    expect(attempts.at(-1)!.aborted()).toBe(true);
  });
});
