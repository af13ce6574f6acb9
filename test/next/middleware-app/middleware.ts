// Edge middleware (no `runtime` export: middleware.ts runs on the edge runtime) reporting
// through apptuit/next. Token and endpoint come from the server's environment at
// `next start` (APPTUIT_API_TOKEN, APPTUIT_ENDPOINT, APPTUIT_TAGS), read from `process.env`.
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { Apptuit, MetricsRegistry, withApptuit } from "apptuit/next";

const registry = new MetricsRegistry();
const views = registry.counter("next.product.views", { app: "next-test" });

async function clientRoundTrip(run: string) {
  // The plain client on the edge runtime: send, then read back through /api/query.
  const client = new Apptuit({
    compress: false,
    env: { APPTUIT_API_TOKEN: process.env.APPTUIT_API_TOKEN, APPTUIT_ENDPOINT: process.env.APPTUIT_ENDPOINT },
  });
  const now = Math.floor(Date.now() / 1000);
  const sent = await client.send([
    { metric: "next.client.sent", tags: { run }, timestamp: now - 1, value: 7 },
    { metric: "next.client.sent", tags: { run }, timestamp: now, value: 8 },
  ]);
  const result = await client.query(`fetch('next_client_sent', {run: '${run}'})`, { start: now - 60, end: now + 60 });
  return { sent, series: result.at(0)?.series ?? [] };
}

async function handle(request: NextRequest, _event: NextFetchEvent): Promise<Response> {
  const { pathname, searchParams } = request.nextUrl;
  if (pathname === "/api/flush") {
    // Test hook: a forced flush (the throttle lets only the first request of an instance flush).
    const result = await middleware.reporter?.flush();
    return Response.json({ delivered: result?.delivered ?? -1, runtime: process.env.NEXT_RUNTIME });
  }
  if (pathname === "/api/client") return Response.json(await clientRoundTrip(searchParams.get("run") ?? "none"));
  if (pathname.startsWith("/products/")) views.inc();
  if (pathname === "/old") return NextResponse.redirect(new URL("/", request.url));
  return NextResponse.next();
}

export const middleware = withApptuit(handle, { registry, requestMetrics: true, interval: 60_000 });

export const config = { matcher: ["/((?!_next/|favicon.ico).*)"] };
