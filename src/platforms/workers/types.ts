/**
 * The few Cloudflare Workers shapes the adapter touches, written structurally so that
 * the package needs no `@cloudflare/workers-types`; the real `ExportedHandler<Env>`,
 * `ExecutionContext` and `ScheduledController` fit them.
 */
export interface WorkersContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

export interface WorkersScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
  noRetry?(): void;
}

/** A module Worker's default export: `fetch`, `scheduled`, and any other handler. */
export interface WorkersHandler<Env = unknown> {
  // method syntax: parameters compare bivariantly, so handlers typed with
  // @cloudflare/workers-types' own Request and ExecutionContext are accepted
  fetch?(request: Request, env: Env, ctx: WorkersContext): Response | Promise<Response>;
  scheduled?(controller: WorkersScheduledController, env: Env, ctx: WorkersContext): void | Promise<void>;
}

/** The `Env` a handler declares in its `fetch` or `scheduled` signature. */
export type EnvOf<H> = H extends { fetch?(request: never, env: infer E, ctx: never): unknown }
  ? unknown extends E
    ? H extends { scheduled?(controller: never, env: infer S, ctx: never): unknown }
      ? S
      : E
    : E
  : Record<string, unknown>;
