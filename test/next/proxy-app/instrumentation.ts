// Runs once per server process and runtime. The reporter belongs to the Node.js server
// process only; the Node-only part is imported there so the edge bundle never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
