/**
 * `text` without its trailing `/`s. A loop rather than `replace(/\/+$/, "")`: that regex
 * is quadratic on a long run of slashes followed by anything else (a request path from
 * the network: 50,000 slashes took seconds).
 */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}
