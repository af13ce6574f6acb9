// Runs before `npm run demo` and `npm test` (pre-scripts) so both README commands work on
// a fresh clone: installs the locked dependencies once if they are missing. Plain Node,
// any version: it may run on the machine's older Node before Node 24 is installed.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync(new URL("../node_modules/.package-lock.json", import.meta.url))) {
  console.log("apptuit: installing dependencies (npm ci)…");
  execSync("npm ci --no-audit --no-fund --loglevel=error", { stdio: "inherit", cwd: new URL("..", import.meta.url) });
}
