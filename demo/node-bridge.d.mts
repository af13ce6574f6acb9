import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface ServeOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
}

export interface Served {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export function serve(handler: (request: Request) => Response | Promise<Response>, options?: ServeOptions): Promise<Served>;
export function toRequest(req: IncomingMessage, res: ServerResponse, host?: string): Request;
export function writeResponse(response: Response, res: ServerResponse): Promise<void>;
