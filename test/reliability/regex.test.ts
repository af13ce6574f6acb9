// Every regular expression in src/ runs in (near) linear time on adversarial input: each
// is run on 50,000-character strings built to make a backtracking engine stall (long runs
// of one character, then a character that breaks the match). A correctness guard against
// ReDoS, not a benchmark: the bound (100 ms) is ~100× what a linear pattern needs. Each
// input counts by its best of up to 3 runs (the extra runs only when one is over the bound):
// a quadratic pattern is slow every time, a GC pause or a preempted CPU is not.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Apptuit } from "../../src/core/client";
import { trimTrailingSlashes } from "../../src/core/trim-slashes";
import { createBackend } from "../../src/backend";
import { findRegexes } from "./regex-scan";

const LIMIT_MS = 100;
const TRIES = 3;
const N = 50_000;

/** The fastest of up to TRIES runs of `run`, stopping at the first one under LIMIT_MS. */
async function bestOf(run: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < TRIES && best >= LIMIT_MS; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
const UNITS = [
  "a",
  "A",
  "0",
  "1a",
  " ",
  "\t",
  "_",
  "-",
  ".",
  "/",
  "\\",
  ":",
  ",",
  "=",
  '"',
  "{",
  "[",
  "é",
  "\u0301",
  "𝟘",
  "a_",
  "a.",
  "0-",
  "/a",
  ", ",
  ": ",
  "\\u",
  "Bearer ",
];
const ENDINGS = ["!", "", "\n", "\u0000", "/", "."];

function adversarial(): string[] {
  const out: string[] = [];
  for (const unit of UNITS) {
    const run = unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
    for (const end of ENDINGS) out.push(run + end);
    out.push(`!${run}!`);
  }
  return out;
}

/** Every way the SDK uses a pattern: test, exec, replace, split, match. */
function exercise(regex: RegExp, input: string): void {
  regex.lastIndex = 0;
  regex.test(input);
  regex.lastIndex = 0;
  regex.exec(input);
  regex.lastIndex = 0;
  input.replace(regex, "_");
  input.split(regex, 2);
  regex.lastIndex = 0;
}

describe("regular expressions in src/ are linear-time on adversarial input", () => {
  const found = findRegexes(process.cwd());
  const inputs = adversarial();

  it("finds the regexes (the scan works) and no RegExp is built at run time", () => {
    expect(found.length).toBeGreaterThan(10);
    // A pattern built at run time cannot be checked here: review it, then list it.
    expect(found.filter((f) => f.regex === undefined).map((f) => `${f.where}: ${f.text}`)).toEqual([]);
  });

  it.each(found.filter((f) => f.regex !== undefined).map((f) => [f.where, f.text, f.regex!] as const))("%s %s", async (_, __, regex) => {
    let worst = 0;
    let worstInput = "";
    for (const input of inputs) {
      const took = await bestOf(() => exercise(regex, input));
      if (took > worst) {
        worst = took;
        worstInput = `${JSON.stringify(input.slice(0, 8))}… (${input.length} chars, ends ${JSON.stringify(input.slice(-2))})`;
      }
      if (worst >= LIMIT_MS) break; // one input slow every time is enough (a quadratic pattern takes seconds per run)
    }
    expect(worst, `slowest on ${worstInput}`).toBeLessThan(LIMIT_MS);
  });
});

// `/\/+$/` was quadratic (50,000 slashes then "!": ~8 s) in the backend's router, on the
// request path, and in endpoint parsing. Its replacement must behave the same.
describe("trimTrailingSlashes (replaces /\\/+$/)", () => {
  it("equals the regex it replaced", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("/", "a", "!", "é"), maxLength: 30 }), (text) => {
        expect(trimTrailingSlashes(text)).toBe(text.replace(/\/+$/, ""));
      }),
      { numRuns: 500 },
    );
  });

  it("endpoints lose trailing slashes; the backend routes /api/put/// and answers a 50,000-slash path fast", async () => {
    expect(new Apptuit({ token: "t0ken-x", endpoint: "http://h.test/base///" }).endpoints.write).toBe("http://h.test/base");
    const backend = createBackend();
    const put = await backend.fetch(
      new Request("http://b.test/api/put///", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '[{"metric":"m","timestamp":1700000000,"value":1,"tags":{"a":"b"}}]',
      }),
    );
    expect(put.status).toBe(204);
    const statuses: number[] = [];
    const took = await bestOf(async () => {
      const hostile = await backend.fetch(new Request(`http://b.test/${"/".repeat(50_000)}x`));
      statuses.push(hostile.status);
    });
    expect(new Set(statuses)).toEqual(new Set([404]));
    expect(took).toBeLessThan(LIMIT_MS);
  });
});
