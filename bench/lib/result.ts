// What every bench part hands back to bench/run.mjs: its Markdown section for BENCHMARKS.md,
// the places where an anchor beats us, goal checks, and versions it learned at run time.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Goal {
  goal: string;
  result: string;
  /** "info": a figure reported beside the goals, not one of them. */
  met: boolean | "info";
}

export interface PartResult {
  part: string;
  title: string;
  startedAt: string;
  durationMs: number;
  markdown: string;
  losses: string[];
  goals: Goal[];
  /** e.g. { chromium: "156.0…" } */
  versions?: Record<string, string>;
}

/** Writes the part's result where run.mjs asked (BENCH_OUT), and prints its section. */
export function finish(result: PartResult): void {
  console.log(`\n${result.markdown}`);
  const out = process.env.BENCH_OUT;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2));
  }
}

/** A Markdown table; numbers right-aligned when `align` says so. */
export function table(head: string[], rows: (string | number)[][], align?: ("l" | "r")[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? "l") === "r" ? "---:" : "---"));
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(head), line(sep), ...rows.map(line)].join("\n");
}

/** 12345 → "12,345". */
export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Significant-ish formatting for measurements. */
export function num(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return int(n);
  if (abs >= 10) return n.toFixed(Math.max(0, digits - 2));
  if (abs >= 1) return n.toFixed(Math.max(0, digits - 1));
  return n.toPrecision(digits);
}

/** "× apptuit" ratio cell: other / ours. */
export const ratio = (other: number, ours: number): string => (ours > 0 ? `${num(other / ours, 2)}×` : "–");

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const ROOT: string = process.env.BENCH_ROOT ?? new URL("../../", import.meta.url).pathname;
