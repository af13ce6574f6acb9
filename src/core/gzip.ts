// Web-standard CompressionStream only: works in browsers, Workers, Deno and Node ≥ 18.
//
// The streams are looked up on `globalThis` rather than named: Next.js' edge build rejects
// modules that name them, and its `next start` sandbox replaces them with stubs that throw
// when constructed. Looking them up keeps such modules buildable, and `compressionStream`
// lets senders fall back to an uncompressed body where compression is not really there.

type Format = "gzip" | "deflate";
type StreamClass = new (format: Format) => ReadableWritablePair<Uint8Array, Uint8Array>;

function construct(
  name: "CompressionStream" | "DecompressionStream",
  format: Format,
): ReadableWritablePair<Uint8Array, Uint8Array> | undefined {
  const Stream = (globalThis as Record<string, unknown>)[name] as StreamClass | undefined;
  if (typeof Stream !== "function") return undefined;
  try {
    return new Stream(format);
  } catch {
    return undefined;
  }
}

/** A compression stream, or undefined where the runtime has none that works. */
export function compressionStream(format: Format = "gzip"): ReadableWritablePair<Uint8Array, Uint8Array> | undefined {
  return construct("CompressionStream", format);
}

/** A decompression stream; throws a clear error where the runtime has none. */
export function decompressionStream(format: Format = "gzip"): ReadableWritablePair<Uint8Array, Uint8Array> {
  const stream = construct("DecompressionStream", format);
  if (!stream) throw new TypeError(`this runtime has no working DecompressionStream("${format}")`);
  return stream;
}

/** Gzips UTF-8 text, or returns undefined where the runtime cannot compress. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const compressor = compressionStream("gzip");
  if (!compressor) return undefined;
  return new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(compressor)).arrayBuffer());
}

/** Gunzips to UTF-8 text (for relays, the local backend and tests). */
export async function gunzip(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<string> {
  return new Response(new Blob([bytes]).stream().pipeThrough(decompressionStream("gzip"))).text();
}
