/**
 * One figure of a benchmark for the table `npm run bench` prints: each benchmark prints its own
 * lines for people and, for every figure with a goal, one line `bench-figure {json}` that
 * bench/all.ts collects.
 */
export const FIGURE_PREFIX = 'bench-figure ';

export interface Figure {
  figure: string;
  irflow: string;
  baseline: string;
  /** irflow against the baseline, in the direction the goal reads (e.g. "2.6x the time"). */
  ratio: string;
  goal: string;
  /** Undefined for a figure measured without a goal. */
  met?: boolean;
}

export function reportFigure(figure: Figure): void {
  console.log(`${FIGURE_PREFIX}${JSON.stringify(figure)}`);
}

export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
export const times = (value: number) => `${value.toFixed(2)}x`;
