// The platform-neutral entry point: the fetch-only client, the metrics registry and the
// reporter. Runtime adapters live in their own subpaths (apptuit/browser, apptuit/workers, …).
export * from "./core/index";
export * from "./registry/index";
export * from "./reporter/index";
