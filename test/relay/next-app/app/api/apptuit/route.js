// The relay as a Next.js route handler, as is: POST takes beacons, OPTIONS answers their
// preflights; the answer comes once the points are written (204).
// JavaScript on purpose: a .ts file under app/ makes `next build` install @types/react
// into the repository (it is not a dependency), and Next's route type check then refuses
// `relay` as POST: its optional context type has nothing in common with `{ params }`.
import { relay } from "../../../lib/relay.js";

export { relay as POST, relay as OPTIONS };
