// A fault-injecting Apptuit write/query API over real sockets (node:http on 127.0.0.1).
//
// Every POST /api/put is answered by the next planned fault (then `fallback`): store,
// answer a status (5xx, 429 with Retry-After, 401…), reject some points with a 400 and
// details, reset the connection before storing (mid-body) or after storing (answer lost),
// or stall (until the client gives up, or until the server drops the connection).
// `close()`/`listen()` turn the listener off and on on the same port, so "connection
// refused" is a real ECONNREFUSED. Every request and every stored point is
// recorded, points by identity (metric + sorted tags + timestamp), to find duplicates.
//
// "Exactly once" at this server: a point is stored when (and only when) the request that
// carried it was read in full and answered `ok` / `partial` / `reset-after-store`.
// `reset-mid-body` destroys the socket after the first body chunk and stores nothing, as a
// real server does with a body it never finished reading.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { freePort } from "../harness/ports";

export interface Row {
  metric: string;
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

export type Fault =
  | { kind: "ok" }
  /** Any status with optional headers/body; `headers` may be computed per request (HTTP dates). */
  | { kind: "status"; status: number; headers?: Record<string, string> | (() => Record<string, string>); body?: string }
  /** 400 with `{success, failed, errors}`: rows matching `reject` are refused, the rest stored. */
  | { kind: "partial"; reject: (row: Row) => boolean }
  /** Socket destroyed after the first body chunk: nothing stored, no answer. */
  | { kind: "reset-mid-body" }
  /** Body read and stored, then the socket destroyed before any answer byte. */
  | { kind: "reset-after-store" }
  /**
   * Body read, nothing stored, never answered: the client's timeout (or close()) ends it,
   * or, with `ms`, the server itself drops the connection `ms` after reading the body. The
   * latter keeps the client's timeout out of the picture, so that a short timeout cannot
   * also cut off answers that store points (which would look like lost answers).
   */
  | { kind: "stall"; ms?: number };

export interface RequestRecord {
  /** performance.now() when the request's headers arrived. */
  at: number;
  method: string;
  /** Path and query string as sent. */
  url: string;
  authorization: string | undefined;
  /** Points in the body (0 when not read). */
  points: number;
  /** Fault applied (`413` for the size limit, `query` for GETs). */
  outcome: string;
}

export interface QueryReply {
  status: number;
  body: string;
  contentType?: string;
}

export const identity = (row: Row): string =>
  `${row.metric}|${Object.keys(row.tags)
    .sort()
    .map((k) => `${k}=${row.tags[k]}`)
    .join(",")}|${row.timestamp}`;

export class FaultServer {
  readonly port: number;
  readonly url: string;
  /** Faults for the next /api/put requests, in order; `fallback` after that. */
  plan: Fault[] = [];
  fallback: Fault = { kind: "ok" };
  /** Above this many points in one request: 413 (counted after gunzip, before the plan). */
  maxPoints = Infinity;
  /** Answer to GET /api/query and the Prometheus paths. */
  queryReply: QueryReply = { status: 200, body: '{"outputs":[]}' };
  readonly requests: RequestRecord[] = [];
  /** Every stored row, in arrival order (a row stored twice appears twice). */
  readonly stored: Row[] = [];
  /** Rows refused with a 400, in arrival order. */
  readonly rejected: Row[] = [];
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  private constructor(port: number) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<FaultServer> {
    const server = new FaultServer(await freePort());
    await server.listen();
    return server;
  }

  /** Starts (again) accepting connections on the same port. */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1_000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and drops every open connection: new connections are refused. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Distinct identities stored. */
  storedIds(): Set<string> {
    return new Set(this.counts.keys());
  }

  /** Identities stored more than once, with whether every copy had the same value. */
  duplicates(): { id: string; count: number; sameValue: boolean }[] {
    const out: { id: string; count: number; sameValue: boolean }[] = [];
    for (const [id, count] of this.counts) {
      if (count < 2) continue;
      const values = new Set(this.stored.filter((r) => identity(r) === id).map((r) => r.value));
      out.push({ id, count, sameValue: values.size === 1 });
    }
    return out;
  }

  /** POST /api/put requests (attempts) seen, in order. */
  puts(): RequestRecord[] {
    return this.requests.filter((r) => r.method === "POST");
  }

  private store(rows: Row[]): void {
    for (const row of rows) {
      this.stored.push(row);
      const id = identity(row);
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: RequestRecord = {
      at: performance.now(),
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      points: 0,
      outcome: "",
    };
    this.requests.push(record);
    if (req.method === "GET") {
      record.outcome = "query";
      const reply = this.queryReply;
      res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
      res.end(reply.body);
      return;
    }
    if (req.method !== "POST" || !(req.url ?? "").startsWith("/api/put")) {
      record.outcome = "404";
      res.writeHead(404).end();
      return;
    }
    if ((this.plan[0] ?? this.fallback).kind === "reset-mid-body") {
      this.plan.shift();
      return this.resetMidBody(req, record);
    }
    let rows: Row[];
    try {
      rows = await readRows(req);
    } catch {
      record.outcome = "unreadable";
      if (!res.destroyed) res.writeHead(400).end("unreadable body");
      return;
    }
    record.points = rows.length;
    if (rows.length > this.maxPoints) {
      record.outcome = "413";
      res.writeHead(413, { "content-type": "application/json" }).end(`{"error":"at most ${this.maxPoints} points"}`);
      return;
    }
    const fault = this.plan.shift() ?? this.fallback;
    record.outcome = fault.kind === "status" ? String(fault.status) : fault.kind;
    switch (fault.kind) {
      case "ok":
        this.store(rows);
        res.writeHead(204).end();
        return;
      case "status": {
        const headers = typeof fault.headers === "function" ? fault.headers() : (fault.headers ?? {});
        res.writeHead(fault.status, { "content-type": "application/json", ...headers });
        res.end(fault.body ?? `{"error":"injected ${fault.status}"}`);
        return;
      }
      case "partial": {
        const bad = rows.filter(fault.reject);
        this.store(rows.filter((r) => !fault.reject(r)));
        this.rejected.push(...bad);
        const body = {
          success: rows.length - bad.length,
          failed: bad.length,
          errors: bad.map((datapoint) => ({ datapoint, error: "refused by the fault server" })),
        };
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(body));
        return;
      }
      case "reset-after-store":
        this.store(rows);
        req.socket.destroy();
        return;
      case "stall": {
        // Never answered; the client's timeout (or close()) ends it, or the server after `ms`.
        if (fault.ms === undefined) return;
        const socket = req.socket;
        const drop = setTimeout(() => socket.destroy(), fault.ms);
        socket.once("close", () => clearTimeout(drop));
        return;
      }
      case "reset-mid-body":
        return; // handled above
    }
  }

  private resetMidBody(req: IncomingMessage, record: RequestRecord): void {
    record.outcome = "reset-mid-body";
    req.once("data", () => req.socket.destroy());
    req.once("end", () => req.socket.destroy());
  }
}

async function readRows(req: IncomingMessage): Promise<Row[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body = Buffer.concat(chunks);
  if ((req.headers["content-encoding"] ?? "").toLowerCase() === "gzip") body = gunzipSync(body);
  const parsed: unknown = JSON.parse(body.toString("utf8"));
  if (!Array.isArray(parsed)) throw new Error("not an array");
  return parsed as Row[];
}

/** A 127.0.0.1 port with nothing listening: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
