// The relay as a module Worker run by miniflare (workerd), importing the built
// self-contained bundle. The token and endpoint are bindings (env), server-side tags come
// from `request.cf`, and delivery is kept alive after the response with `ctx.waitUntil`.
import { createRelay } from "../../../dist/bundle/relay.js";

// Module scope, as users write it: no env yet, so the relay builds its client from the
// bindings of the first request (and keeps it per env object).
const relay = createRelay({
  // An isolate must not aggregate (docs/durable-objects.md): pass through.
  aggregate: false,
  allowedOrigins: ["https://shop.example"],
  tags: (request) => ({ country: request.cf?.country, colo: request.cf?.colo }),
});

export default {
  fetch(request, env, ctx) {
    return relay(request, { env, waitUntil: (promise) => ctx.waitUntil(promise) });
  },
};
