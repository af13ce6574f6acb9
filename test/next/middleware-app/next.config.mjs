// The test app of test/next/middleware.test.ts. It lives inside the apptuit repository and has no
// package.json: `next`, `react` and (by package self-reference) `apptuit` resolve from the
// repository, so Turbopack's root is the repository root.
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** @type {import("next").NextConfig} */
export default {
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
};
