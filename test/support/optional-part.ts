/**
 * A test that needs a part a developer's machine may lack (Chromium, the S3 gateway) skips
 * without it and says why - but not where IRFLOW_REQUIRE_ALL_TESTS is set (`.ci/run` sets it,
 * having installed every part): there a missing part fails the file instead of passing it unseen.
 */
export function optionalPart(present: boolean, missing: string): boolean {
  if (present) return true;
  if (process.env.IRFLOW_REQUIRE_ALL_TESTS) throw new Error(`${missing}, and IRFLOW_REQUIRE_ALL_TESTS is set: this run must not skip it`);
  console.warn(`${missing}: skipped`);
  return false;
}
