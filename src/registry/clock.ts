/**
 * Default clock of a registry, in epoch milliseconds: monotonic where `performance` exists
 * (meters must not see time go backwards on an NTP step), `Date.now` elsewhere.
 */
export function defaultNow(): () => number {
  const perf = globalThis.performance;
  if (perf !== undefined && typeof perf.now === "function" && typeof perf.timeOrigin === "number") {
    const origin = perf.timeOrigin;
    return () => origin + perf.now();
  }
  return Date.now;
}
