// Direct mode's client answers a SendOutcome; the page reporter settles body by body.
// settleOutcome maps one onto the other with the books exact: every point given settled once.
import { describe, expect, it } from "vitest";
import { emptyOutcome, type SendOutcome } from "../../../src/core/outcome";
import type { WirePoint } from "../../../src/core/wire";
import { settleOutcome } from "../../../src/platforms/browser/direct-mode";
import type { PageSettle } from "../../../src/platforms/browser/page-reporter";

const points = (n: number): WirePoint[] => Array.from({ length: n }, (_, i) => ({ metric: "m", timestamp: 1, value: i, tags: {} }));

function recorder() {
  const calls: { delivered: number; rejected: number; retried: WirePoint[]; errors: unknown[]; statuses: (number | undefined)[] } = {
    delivered: 0,
    rejected: 0,
    retried: [],
    errors: [],
    statuses: [],
  };
  const settle: PageSettle = {
    delivered: (n) => {
      calls.delivered += n;
    },
    retry: (retried, error, status) => {
      calls.retried.push(...retried);
      calls.errors.push(error);
      calls.statuses.push(status);
    },
    rejected: (n, error, status) => {
      calls.rejected += n;
      calls.errors.push(error);
      calls.statuses.push(status);
    },
  };
  return { settle, calls };
}

const outcome = (o: Partial<SendOutcome>): SendOutcome => ({ ...emptyOutcome(), ...o });

describe("settleOutcome", () => {
  it("stored, refused with the server's reasons and status, the rest back for a retry with the failure", () => {
    const given = points(10);
    const { settle, calls } = recorder();
    const error = Object.assign(new Error("503"), { statusCode: 503 });
    const reasons = [{ datapoint: undefined, error: "bad tag" }];
    settleOutcome(
      outcome({ stored: 5, rejected: 2, reasons, rejectedStatus: 400, undelivered: given.slice(7), failure: { error, retryable: true } }),
      10,
      settle,
    );
    expect(calls).toMatchObject({ delivered: 5, rejected: 2, retried: given.slice(7), errors: [reasons, error], statuses: [400, 503] });
  });

  it("a failure a retry cannot help rejects what is left, with its error", () => {
    const given = points(4);
    const { settle, calls } = recorder();
    const error = Object.assign(new Error("401"), { statusCode: 401 });
    settleOutcome(outcome({ stored: 1, undelivered: given.slice(1), failure: { error, retryable: false } }), 4, settle);
    expect(calls).toMatchObject({ delivered: 1, rejected: 3, retried: [], errors: [[error]], statuses: [401] });
  });

  it("counts the outcome does not account for, or more than the points given, are clamped: never delivered beyond them", () => {
    const { settle, calls } = recorder();
    settleOutcome(outcome({ stored: 99 }), 3, settle);
    expect(calls).toMatchObject({ delivered: 3, rejected: 0 });
    const short = recorder();
    settleOutcome(outcome({ stored: 1 }), 3, short.settle);
    expect(short.calls.delivered + short.calls.rejected + short.calls.retried.length).toBe(3);
    expect(short.calls).toMatchObject({ delivered: 1, rejected: 2 });
  });
});
