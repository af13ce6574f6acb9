// The accounting checks shared by the fault tests.
import { expect } from "vitest";
import type { FaultServer } from "./fault-server";
import type { Rig } from "./support";

/** At any moment: recorded = delivered + rejected + dropped + buffered + inFlight. */
export function checkMoment(r: Rig): void {
  const s = r.reporter.stats();
  expect(s.recorded).toBe(s.delivered + s.rejected + s.dropped + s.buffered + s.inFlight);
}

/**
 * After the last flush, point for point:
 * - recorded = delivered + rejected + dropped + buffered (nothing in flight);
 * - rejected and dropped equal what the error handler was told, by kind;
 * - the server holds exactly `delivered` distinct points, all of them prepared by the
 *   reporter, none of them among the points it refused;
 * - every prepared point is accounted for (recorded counts each once);
 * - no point stored twice, unless `allowDuplicates` (the server stored it and the answer
 *   was lost), and then every copy carries the same value (an idempotent overwrite).
 */
export function checkBooks(r: Rig, server: FaultServer, options: { allowDuplicates?: boolean; buffered?: number } = {}): void {
  const s = r.reporter.stats();
  expect(s.inFlight).toBe(0);
  expect(s.recorded).toBe(s.delivered + s.rejected + s.dropped + s.buffered);
  if (options.buffered !== undefined) expect(s.buffered).toBe(options.buffered);
  expect(r.ledger.foreign).toEqual([]);
  expect(r.ledger.rejected).toBe(s.rejected);
  expect(r.ledger.dropped).toBe(s.dropped);
  expect(r.prepared.size).toBe(s.recorded);
  const stored = server.storedIds();
  expect(stored.size).toBe(s.delivered);
  let unknown = 0;
  let storedAndRejected = 0;
  for (const id of stored) {
    if (!r.prepared.has(id)) unknown++;
    if (r.ledger.rejectedIds.has(id)) storedAndRejected++;
  }
  expect(unknown).toBe(0);
  expect(storedAndRejected).toBe(0);
  const duplicates = server.duplicates();
  if (options.allowDuplicates) expect(duplicates.filter((d) => !d.sameValue)).toEqual([]);
  else expect(duplicates).toEqual([]);
}

/** Polls `condition` every 5 ms; fails after `ms`. */
export async function until(condition: () => boolean, ms = 15_000, what = "condition"): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
