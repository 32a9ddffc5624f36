/**
 * Patches, asked with one marker for every behaviour a new run has. A run started by code that
 * knew the baseline patch has every patch older than it, so `since(id)` asks the baseline first:
 * a new run records one baseline marker where it recorded one marker (and its search-attribute
 * upsert, two history events) per patch, five of them in the first task of every incident. Runs
 * recorded before the baseline have no baseline marker and replay through each patch's own, as
 * they ran. A patch newer than the baseline is asked with `patched()` alone until the next one.
 * Workflow code: deterministic.
 */
import { patched } from '@temporalio/workflow';

/** Every patch of the incident workflow up to 2026-12-06, and recording after the quick lookups. */
export const BASELINE_PATCH = 'incident-baseline-2026-12-06';

/** Is the behaviour of patch `id` on in this run: the baseline's, or (a run recorded before it) the patch's own marker. */
export function since(id: string): boolean {
  return patched(BASELINE_PATCH) || patched(id);
}

/** Behaviour new with the baseline itself (no older marker stands for it). */
export function sinceBaseline(): boolean {
  return patched(BASELINE_PATCH);
}
