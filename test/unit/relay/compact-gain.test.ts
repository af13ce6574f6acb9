// Measures the compact format's gain: how many points fit in one 64 KiB beacon, compact
// versus OpenTSDB JSON, for payloads shaped like a browser's. Prints the numbers.
import { describe, expect, it } from "vitest";
import type { WirePoint } from "../../../src/core/wire";
import { decodeCompact, splitCompact } from "../../../src/relay";

const QUOTA = 65_536;
const T = 1_760_000_000;
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** Deterministic values like a registry's: counts, rounded timings, and full-precision rates/means. */
function valueAt(i: number): number {
  const x = Math.sin(i * 12.9898) * 43_758.5453;
  const r = x - Math.floor(x);
  switch (i % 3) {
    case 0:
      return Math.floor(r * 40); // counter delta
    case 1:
      return Math.round(r * 250_000) / 100; // timing in ms, 2 decimals
    default:
      return r * 97.3; // mean / rate: full double precision
  }
}

const FIELDS = ["count", "mean_rate", "1m_rate", "avg", "max", "50_percentile", "95_percentile"];

/** 20 series (7 fields of 3 timers), 3 tags each, one point per series every 10 s. */
function manyPoints(times: number): WirePoint[] {
  const series = Array.from({ length: 20 }, (_, s) => ({
    metric: `web.${["page_load", "api_call", "render"][s % 3]}.${FIELDS[s % FIELDS.length]}`,
    tags: { page: ["/", "/checkout", "/product"][s % 3]!, browser: "chrome", country: "DE" },
  }));
  const out: WirePoint[] = [];
  for (let t = 0; t < times; t++) {
    series.forEach((one, s) => out.push({ ...one, tags: { ...one.tags }, timestamp: T + 10 * t, value: valueAt(t * 20 + s) }));
  }
  return out;
}

/** One point for each of `count` series: 50 metric names × pages, with browser and country. */
function manySeries(count: number): WirePoint[] {
  return Array.from({ length: count }, (_, i) => ({
    metric: `web.resource.${["script", "style", "img", "font", "xhr"][i % 5]}.${FIELDS[Math.floor(i / 5) % FIELDS.length]}_${Math.floor(i / 35) % 10}`,
    tags: {
      page: `/section-${Math.floor(i / 50)}/item`,
      browser: ["chrome", "firefox", "safari"][i % 3]!,
      country: ["US", "DE", "IN", "BR", "JP"][i % 5]!,
    },
    timestamp: T,
    value: valueAt(i),
  }));
}

/** Most leading points whose OpenTSDB JSON body fits in `max` bytes. */
function openTsdbFit(points: WirePoint[], max: number): number {
  let size = 2; // "[" + "]"
  for (let i = 0; i < points.length; i++) {
    size += bytes(JSON.stringify(points[i])) + (i > 0 ? 1 : 0);
    if (size > max) return i;
  }
  return points.length;
}

function compactFit(points: WirePoint[], max: number): number {
  return decodeCompact(splitCompact(points, max)[0]!).length;
}

describe("compact format gain (points per 64 KiB beacon)", () => {
  it("carries ≥ 2× the points of OpenTSDB JSON for 20 series with 3 tags and many points", () => {
    const points = manyPoints(500); // 10,000 points: more than either format fits
    const json = openTsdbFit(points, QUOTA);
    const compact = compactFit(points, QUOTA);
    console.log(
      `[compact-gain] 20 series × 3 tags: OpenTSDB JSON ${json} points/64KiB (${(QUOTA / json).toFixed(1)} B/point), compact ${compact} points/64KiB (${(QUOTA / compact).toFixed(1)} B/point), gain ×${(compact / json).toFixed(2)}`,
    );
    expect(json).toBeLessThan(points.length);
    expect(compact).toBeLessThan(points.length);
    expect(compact).toBeGreaterThanOrEqual(2 * json);
  });

  it("carries more points than OpenTSDB JSON with one point per series (1,000 series)", () => {
    const thousand = manySeries(1_000);
    const jsonBytes = bytes(JSON.stringify(thousand));
    const compactBytes = bytes(splitCompact(thousand, Number.MAX_SAFE_INTEGER)[0]!);
    const pool = manySeries(4_000); // same shape, enough series to fill a beacon in either format
    const json = openTsdbFit(pool, QUOTA);
    const compact = compactFit(pool, QUOTA);
    console.log(
      `[compact-gain] 1,000 series × 1 point: OpenTSDB JSON ${jsonBytes} B, compact ${compactBytes} B (×${(jsonBytes / compactBytes).toFixed(2)}); per 64 KiB: OpenTSDB JSON ${json} points, compact ${compact} points, gain ×${(compact / json).toFixed(2)}`,
    );
    expect(compactBytes).toBeLessThan(jsonBytes / 1.5);
    expect(compact).toBeGreaterThan(1.5 * json);
  });
});
