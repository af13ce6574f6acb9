// One reporter per server process for route handlers and server actions, which record
// through apptuitRegistry(). With NEXT_MANUAL_SIG_HANDLE=true Next leaves SIGTERM to the
// app: flush what is left, then exit.
import { startApptuit } from "apptuit/next";

const apptuit = startApptuit({ interval: Number(process.env.APP_REPORT_INTERVAL ?? 10_000) });

if (process.env.NEXT_MANUAL_SIG_HANDLE) {
  process.once("SIGTERM", () => {
    void apptuit.shutdown().then(() => {
      console.log("apptuit: stopped after a last flush");
      process.exit(0);
    });
  });
}
