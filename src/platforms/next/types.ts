/**
 * The shapes of Next.js middleware the adapter touches, written structurally so that the
 * package does not depend on `next`; `NextRequest` and `NextFetchEvent` fit them.
 */
export interface MiddlewareEvent {
  waitUntil(promise: Promise<unknown>): void;
}

/** What a middleware may return: a response, or nothing to continue. */
export type MiddlewareResult = Response | null | undefined | undefined;

export type Middleware<Req extends Request = Request, Ev = MiddlewareEvent, R = MiddlewareResult> = (
  request: Req,
  event: Ev,
) => R | Promise<R>;
