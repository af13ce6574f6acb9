// proxy.ts (Next.js 16; always the Node.js runtime) reporting through apptuit/next, the same
// withApptuit as in middleware.ts. Token and endpoint come from the server's environment at
// `next start` (APPTUIT_API_TOKEN, APPTUIT_ENDPOINT, APPTUIT_TAGS).
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { MetricsRegistry, withApptuit } from "apptuit/next";

const registry = new MetricsRegistry();
const views = registry.counter("next.proxy.views", { app: "next-proxy-test" });

function handle(request: NextRequest, event: NextFetchEvent): Response {
  const { pathname } = request.nextUrl;
  if (pathname === "/api/proxy-info") {
    // Test hook: what the proxy runs on and what its event offers.
    return Response.json({ runtime: process.env.NEXT_RUNTIME, waitUntil: typeof event?.waitUntil });
  }
  if (pathname.startsWith("/products/")) views.inc();
  if (pathname === "/old") return NextResponse.redirect(new URL("/", request.url));
  return NextResponse.next();
}

// The first request flushes through event.waitUntil; within the next 4 s no request does, the timer sends the rest.
export const proxy = withApptuit(handle, { registry, requestMetrics: true, interval: 4_000 });

export const config = { matcher: ["/products/:path*", "/old", "/api/proxy-info"] };
