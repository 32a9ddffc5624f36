/** Accepted steps waiting for the persistence activity, in seq order. */
import type { IncidentStep } from '../machines/incident.types.js';

export class StepOutbox {
  private readonly steps: IncidentStep[] = [];
  /** The highest seq the persistence activity has recorded. */
  recordedSeq: number;

  constructor(private seq: number) {
    this.recordedSeq = seq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  push(step: Omit<IncidentStep, 'seq'>): number {
    this.seq += 1;
    this.steps.push({ ...step, seq: this.seq });
    return this.seq;
  }

  hasPending(): boolean {
    return this.steps.length > 0;
  }

  next(): IncidentStep | undefined {
    return this.steps[0];
  }

  /** Every step waiting, in seq order (a copy). */
  pending(): IncidentStep[] {
    return [...this.steps];
  }

  markRecorded(seq: number): void {
    while (this.steps.length > 0 && this.steps[0]!.seq <= seq) this.steps.shift();
    this.recordedSeq = Math.max(this.recordedSeq, seq);
  }
}
