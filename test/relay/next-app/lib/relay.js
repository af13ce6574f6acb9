// One relay for both routes. The token and endpoint are read from the server's environment
// when `next start` first loads a route (never at build time, never sent to a page).
import { createRelay } from "apptuit/relay";

export const relay = createRelay({
  token: process.env.APPTUIT_API_TOKEN,
  endpoint: process.env.APPTUIT_ENDPOINT,
  allowedOrigins: (process.env.RELAY_ALLOWED_ORIGINS ?? "").split(",").filter(Boolean),
  tags: { relay: "next" },
  // Pass-through: the tests follow each request to the upstream.
  aggregate: false,
});
