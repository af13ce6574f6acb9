import { decompressionStream } from "../core/gzip";
import { BackendHttpError } from "./http-error";

/**
 * Reads a request body as text, within `maxBytes` both on the wire and after decoding
 * `Content-Encoding: gzip | deflate` (so a small gzip bomb cannot blow up memory).
 * Decompression uses the web-standard DecompressionStream.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return "";

  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let stream: ReadableStream<Uint8Array> = request.body.pipeThrough(limit(maxBytes));
  if (encoding === "gzip" || encoding === "x-gzip" || encoding === "deflate") {
    const format = encoding === "deflate" ? "deflate" : "gzip";
    stream = stream.pipeThrough(decompressionStream(format));
    stream = stream.pipeThrough(limit(maxBytes));
  } else if (encoding !== "identity" && encoding !== "") {
    await request.body.cancel().catch(() => undefined);
    throw new BackendHttpError(415, `unsupported Content-Encoding "${encoding.slice(0, 40)}": use gzip or deflate`);
  }

  try {
    return await collect(stream);
  } catch (error) {
    if (error instanceof BackendHttpError) throw error;
    const what = encoding === "identity" || encoding === "" ? "as UTF-8" : `as ${encoding} UTF-8`;
    throw new BackendHttpError(400, `could not decode the request body ${what}`);
  }
}

function tooLarge(maxBytes: number): BackendHttpError {
  return new BackendHttpError(413, `request body larger than ${maxBytes} bytes`);
}

/** A pass-through stream that errors once more than `maxBytes` have gone through. */
function limit(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(tooLarge(maxBytes));
      else controller.enqueue(chunk);
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
