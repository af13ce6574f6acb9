/**
 * Reading an untrusted body within a byte budget. The budget is counted on the stream as it
 * arrives, so a lying `Content-Length` or a chunked body cannot get past it; compressed
 * bodies get a second budget after decompression (a small gzip can expand enormously).
 */
import { decompressionStream } from "../core/gzip";
import { RelayError } from "./errors/relay-error";
import { readAtMost } from "../core/read-at-most";

export interface BodyLimits {
  /** Most bytes read from the request as sent. */
  maxBodyBytes: number;
  /** Most bytes after `Content-Encoding` is undone. */
  maxDecodedBytes: number;
}

export async function readBodyText(request: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
  if (request.body === null) throw new RelayError(400, "empty body");

  const raw = await readLimited(request.body, limits.maxBodyBytes, "body");
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let bytes = raw;
  if (encoding === "gzip" || encoding === "deflate") {
    const stream = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(decompressionStream(encoding));
    bytes = await readLimited(stream, limits.maxDecodedBytes, encoding);
  } else if (encoding !== "identity") {
    throw new RelayError(415, `unsupported Content-Encoding "${encoding.slice(0, 40)}" (use gzip, deflate or none)`);
  }
  if (bytes.byteLength === 0) throw new RelayError(400, "empty body");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RelayError(400, "body is not valid UTF-8");
  }
}

async function readLimited(stream: ReadableStream<Uint8Array>, max: number, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAtMost(stream, max);
  } catch (error) {
    throw new RelayError(400, what === "body" ? "could not read the body" : `body is not valid ${what} data`, { cause: error });
  }
  if (bytes === undefined) throw tooLarge(max);
  return bytes;
}

function tooLarge(max: number): RelayError {
  return new RelayError(413, `body larger than ${max} bytes`);
}
