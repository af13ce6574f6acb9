// Runs before `npm test` (pretest): the two system programs the suite drives — Chromium
// (browser tests) and VictoriaMetrics (e2e and many-writer tests) — installed when missing,
// the way `playwright install --with-deps` does. Debian/Ubuntu as root or with passwordless
// sudo: `apt-get install`, said in one line first. Anywhere else: one message with the exact
// command for that system, and the suite fails (it never skips a runtime).
// Plain Node, any version, no dependencies: it may run before `npm ci`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { platform } from "node:os";

const NEEDS = [
  {
    name: "Chromium",
    apt: "chromium",
    path: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    env: "CHROMIUM_BIN",
    brew: "brew install --cask chromium",
  },
  {
    name: "VictoriaMetrics",
    apt: "victoria-metrics",
    path: process.env.VICTORIA_METRICS_BIN ?? "/usr/bin/victoria-metrics",
    env: "VICTORIA_METRICS_BIN",
    brew: "brew install victoriametrics",
  },
];

const missing = NEEDS.filter((need) => !existsSync(need.path));
if (missing.length === 0) process.exit(0);

const names = missing.map((m) => m.name).join(" and ");
const aptPackages = missing.map((m) => m.apt);
const fail = (how) => {
  console.error(`apptuit: the test suite needs ${names}, which ${missing.length > 1 ? "are" : "is"} missing. ${how}`);
  console.error(`(Or point ${missing.map((m) => m.env).join(" / ")} at an existing binary.)`);
  process.exit(1);
};

if (!isDebianLike()) {
  if (platform() === "darwin") fail(`Install ${missing.length > 1 ? "them" : "it"} with:\n  ${missing.map((m) => m.brew).join(" && ")}`);
  fail(
    `Install ${missing.length > 1 ? "them" : "it"} with your package manager (Debian/Ubuntu: sudo apt-get install -y ${aptPackages.join(" ")}).`,
  );
}

const root = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = !root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
if (!root && !sudo)
  fail(`Install ${missing.length > 1 ? "them" : "it"} with:\n  sudo apt-get update && sudo apt-get install -y ${aptPackages.join(" ")}`);

const started = Date.now();
console.log(
  `apptuit: installing ${aptPackages.join(" ")} with apt-get (needed by the browser and VictoriaMetrics tests; under a minute, once)…`,
);
const apt = (args) =>
  execFileSync(root ? "apt-get" : "sudo", root ? args : ["apt-get", ...args], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
try {
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", ...aptPackages]);
} catch (error) {
  fail(
    `apt-get failed (${error.message.split("\n")[0]}). Install by hand:\n  sudo apt-get update && sudo apt-get install -y ${aptPackages.join(" ")}`,
  );
}
const still = missing.filter((m) => !existsSync(m.path));
if (still.length > 0) fail(`apt-get finished but ${still.map((m) => m.path).join(" and ")} is still missing.`);
console.log(`apptuit: installed ${aptPackages.join(" ")} in ${Math.round((Date.now() - started) / 1000)} s`);

function isDebianLike() {
  if (platform() !== "linux" || !existsSync("/etc/os-release")) return false;
  const release = readFileSync("/etc/os-release", "utf8");
  const ids = /^(?:ID|ID_LIKE)=(.*)$/gm;
  let match;
  while ((match = ids.exec(release)) !== null) {
    if (/\b(debian|ubuntu)\b/.test(match[1].replace(/"/g, "")))
      return spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  }
  return false;
}
