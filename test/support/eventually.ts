/** Polls until a condition holds, with a generous bound: a loaded machine is slow, not wrong. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, tries = 600, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`never: ${what}`);
}
