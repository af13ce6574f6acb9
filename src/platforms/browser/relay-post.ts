/**
 * One POST of a compact body to a relay: a string body, which `fetch` sends as
 * `text/plain;charset=UTF-8` with no header set (the Fetch standard's default for a string;
 * no CORS preflight even cross-origin), redirects not followed (a relay that redirects is misconfigured: the
 * points would be counted stored elsewhere), given up after `timeout` ms. The reporter's
 * requests and the page-hide flush's requests beyond the keepalive quota are all this.
 */
export function postToRelay(
  url: string,
  body: string,
  keepalive: boolean,
  timeout: number,
  fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<Response> {
  return fetcher(url, {
    method: "POST",
    body,
    keepalive,
    redirect: "manual",
    signal: AbortSignal.timeout(timeout),
  });
}
