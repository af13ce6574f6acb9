// Web-standard CompressionStream only: works in browsers, Workers, Deno and Node ≥ 18.

/** Gzips UTF-8 text. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Gunzips to UTF-8 text (for relays, the local backend and tests). */
export async function gunzip(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
