/**
 * The histories a long-lived replay worker replays: an async iterable the replayer pushes to, one
 * history at a time, and closes when the replay worker should stop.
 */
import type { HistoryAndWorkflowId } from '@temporalio/client';

export type QueuedHistory = HistoryAndWorkflowId;

export class HistoryQueue implements AsyncIterable<QueuedHistory> {
  private readonly waiting: QueuedHistory[] = [];
  private taker: ((next: IteratorResult<QueuedHistory>) => void) | undefined;
  private closed = false;

  push(item: QueuedHistory): void {
    if (this.closed) throw new Error('the replay queue is closed');
    if (this.taker) {
      const take = this.taker;
      this.taker = undefined;
      take({ value: item, done: false });
    } else {
      this.waiting.push(item);
    }
  }

  close(): void {
    this.closed = true;
    this.taker?.({ value: undefined, done: true });
    this.taker = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<QueuedHistory> {
    return {
      next: () => {
        const item = this.waiting.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.taker = resolve));
      },
    };
  }
}
