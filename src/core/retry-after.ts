/**
 * `Retry-After`, parsed strictly: whole seconds (a negative number means "now") or an
 * IMF-fixdate HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`). Anything else is garbage and
 * undefined: the sender then backs off as it would without the header.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^-?\d{1,15}$/.test(text)) return Math.max(0, Number(text));
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
