/** What an incident holds until its workflow acts on it, carried across continue-as-new. Plain and deterministic. */
export class Waiting<T> {
  protected waiting: T[];

  constructor(carried: T[] = []) {
    this.waiting = carried;
  }

  has(): boolean {
    return this.waiting.length > 0;
  }

  /** Everything waiting, taken: nothing waits afterwards. */
  take(): T[] {
    const items = this.waiting;
    this.waiting = [];
    return items;
  }
}
