// A tiny node:http <-> web Request/Response bridge, so handlers written for fetch-style
// runtimes (the embedded backend, the relay) can be served by Node. Used by the demos.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Serves `handler(request) => Promise<Response>` on host:port (port 0 = any free port).
 * Resolves once listening, with the base URL and a close() that also drops keep-alive
 * connections so the process can exit.
 */
export async function serve(handler, { port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    handle(handler, req, res, host).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  return {
    url,
    port: address.port,
    server,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(handler, req, res, host) {
  const response = await handler(toRequest(req, res, host));
  await writeResponse(response, res);
}

/** IncomingMessage → Request: same method, URL, headers; the body streamed; aborted if the client goes away. */
export function toRequest(req, res, host = "127.0.0.1") {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? host}`);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: hasBody ? "half" : undefined,
    signal: controller.signal,
  });
}

/** Response → ServerResponse: status, headers (Set-Cookie kept apart), body streamed. */
export async function writeResponse(response, res) {
  const headers = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body), res);
}
