// A route handler recording through the process registry that instrumentation.ts reports.
// (JavaScript: a .ts file under app/ would make `next build` install @types/react.)
import { apptuitRegistry } from "apptuit/next";

export async function POST(request) {
  const { items = 1 } = await request.json().catch(() => ({}));
  const registry = apptuitRegistry();
  registry.counter("next.orders.placed", { app: "next-proxy-test" }).inc();
  registry.histogram("next.orders.items", { app: "next-proxy-test" }).update(items);
  return Response.json({ ok: true });
}
