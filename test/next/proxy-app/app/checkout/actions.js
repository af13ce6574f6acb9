"use server";
// A server action recording through the process registry.
import { apptuitRegistry } from "apptuit/next";

export async function checkout(form) {
  const plan = String(form.get("plan") ?? "none");
  apptuitRegistry().counter("next.checkout.submitted", { app: "next-proxy-test", plan }).inc();
}
