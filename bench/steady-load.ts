/**
 * A steady load: `inFlight` sends at a time for `seconds`, then a wait until what was sent is
 * recorded. Reports accepted/s, recorded/s during the load, the backlog at its end, how long
 * clearing it took, and the peak RSS the `rssMb` probe saw.
 */
export interface SteadyLoad {
  seconds: number;
  inFlight: number;
  send(index: number): Promise<void>;
  /** How many of the sent items are recorded now. */
  recorded(): Promise<number>;
  rssMb(): Promise<number>;
}

export interface SteadyLoadResult {
  /** How many were sent and accepted in all. */
  accepted: number;
  acceptedPerSecond: number;
  recordedPerSecond: number;
  backlog: number;
  clearSeconds: number;
  rssMb: number;
}

export async function steadyLoad(load: SteadyLoad): Promise<SteadyLoadResult> {
  const start = performance.now();
  const until = start + load.seconds * 1000;
  let next = 0;
  let accepted = 0;
  let peakRss = 0;
  const sender = async () => {
    while (performance.now() < until) {
      await load.send(next++);
      accepted += 1;
    }
  };
  const probe = setInterval(() => void load.rssMb().then((mb) => (peakRss = Math.max(peakRss, mb))), 1000);
  await Promise.all(Array.from({ length: load.inFlight }, sender));
  const loadSeconds = (performance.now() - start) / 1000;
  const recordedAtEnd = await load.recorded();
  const ended = performance.now();
  while ((await load.recorded()) < accepted) await new Promise((resolve) => setTimeout(resolve, 250));
  clearInterval(probe);
  peakRss = Math.max(peakRss, await load.rssMb());
  return {
    accepted,
    acceptedPerSecond: accepted / loadSeconds,
    recordedPerSecond: recordedAtEnd / loadSeconds,
    backlog: accepted - recordedAtEnd,
    clearSeconds: (performance.now() - ended) / 1000,
    rssMb: peakRss,
  };
}
