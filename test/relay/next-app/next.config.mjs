// The fixture app of test/relay/next.test.ts: one route handler that is the relay. It has
// no package.json: `next` and (by package self-reference) `apptuit` resolve from the
// repository, so `apptuit/relay` is the built package (dist/esm/relay.js) and Turbopack's
// root is the repository root.
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** @type {import("next").NextConfig} */
export default {
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
};
