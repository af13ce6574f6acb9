// The same relay with Next's `after` as `waitUntil`: it answers 202 at once and the write
// runs after the response.
import { after } from "next/server";
import { relay } from "../../../lib/relay.js";

export function POST(request) {
  return relay(request, { waitUntil: after });
}

export { relay as OPTIONS };
