import type { ReporterPlatform } from "../../reporter/platform";

// What the Next.js adapter asks of the runtime it finds itself in. The same bundle code
// runs in `middleware.ts` (edge sandbox), `proxy.ts` and `instrumentation.ts` (Node), so
// it looks, never assumes. See docs/nextjs.md.

/**
 * True in an edge runtime (Next's edge sandbox, Vercel Edge), which defines the global
 * `EdgeRuntime`; false on the Node runtime, where timers outlive a request.
 */
export function onEdgeRuntime(): boolean {
  return typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === "string";
}

/** `process.env` where the runtime has one (Next's edge sandbox does: the server's environment), else none. */
export function processEnv(): Record<string, string | undefined> | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env;
}

/**
 * The web-standard interval timer, `unref()`'d where the handle has that method (Node),
 * so that a reporting timer never keeps a server process from exiting.
 */
export const backgroundTimers: ReporterPlatform = {
  setInterval(fn, ms) {
    const handle = globalThis.setInterval(fn, ms) as unknown as { unref?: () => void };
    if (typeof handle?.unref === "function") handle.unref();
    return handle;
  },
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
};
