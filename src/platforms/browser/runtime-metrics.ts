import type { RecordingHandles } from "../../registry/kinds";
import { RUNTIME_METRICS } from "./runtime-metric-names";

/** The part of the `web-vitals` package used here (v4/v5 API). */
export interface WebVitals {
  onLCP(cb: (metric: { value: number }) => void): void;
  onINP(cb: (metric: { value: number }) => void): void;
  onCLS(cb: (metric: { value: number }) => void): void;
  onFCP(cb: (metric: { value: number }) => void): void;
  onTTFB(cb: (metric: { value: number }) => void): void;
}

interface PerformanceMemory {
  usedJSHeapSize: number;
  totalJSHeapSize: number;
  jsHeapSizeLimit: number;
}

/** Runtime metrics being recorded (see `startRuntimeMetrics`). */
export interface RuntimeMetrics {
  sync(): void;
  stop(): void;
}

/**
 * The browser's answer to the Python client's process metrics. Each web vital is recorded
 * when `web-vitals` reports it (FCP and TTFB after load; LCP at the first input or when the
 * page is hidden; CLS and INP when hidden, and again after a later hide if they grew).
 * `sync()` records long tasks the observer has queued but not delivered yet (called right
 * before a page-hide flush); `stop()` disconnects the observer and ignores later reports
 * (the `web-vitals` callbacks cannot be removed).
 */
export function startRuntimeMetrics(registry: RecordingHandles, vitals: WebVitals): RuntimeMetrics {
  let stopped = false;
  const record = (name: string) => (metric: { value: number }) => {
    if (!stopped && Number.isFinite(metric.value)) registry.histogram(RUNTIME_METRICS.webVitals + name).update(metric.value);
  };
  vitals.onFCP(record("fcp"));
  vitals.onTTFB(record("ttfb"));
  vitals.onLCP(record("lcp"));
  vitals.onCLS(record("cls"));
  vitals.onINP(record("inp"));

  const memory = (performance as Performance & { memory?: PerformanceMemory }).memory;
  if (memory !== undefined) {
    const read = (key: keyof PerformanceMemory) => () => (performance as Performance & { memory: PerformanceMemory }).memory[key];
    registry.gauge(RUNTIME_METRICS.heapUsed, read("usedJSHeapSize"));
    registry.gauge(RUNTIME_METRICS.heapTotal, read("totalJSHeapSize"));
    registry.gauge(RUNTIME_METRICS.heapLimit, read("jsHeapSizeLimit"));
  }

  let observer: PerformanceObserver | undefined;
  let sync = (): void => {};
  if (typeof PerformanceObserver !== "undefined" && PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
    const count = registry.counter(RUNTIME_METRICS.longTasks);
    const durations = registry.histogram(RUNTIME_METRICS.longTaskDuration);
    const take = (entries: PerformanceEntryList) => {
      for (const entry of entries) {
        count.inc();
        durations.update(entry.duration);
      }
    };
    observer = new PerformanceObserver((list) => take(list.getEntries()));
    observer.observe({ type: "longtask", buffered: true });
    sync = () => take(observer!.takeRecords());
  }

  return {
    sync: () => sync(),
    stop: () => {
      stopped = true;
      observer?.disconnect();
    },
  };
}
