// The series every part records: counters in 10 metric names with 2–3 tags each. The same
// source runs in Node and, as text, in the benchmark pages.
export const SERIES_JS = `
const NAMES = 10;
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const STATUSES = ["200", "201", "204", "404", "500"];
/** Series i: metric app.requests_<i % 10>; tags route (distinct per name), method, and status on two thirds. */
function seriesName(i) { return "app.requests_" + (i % NAMES); }
function seriesTags(i) {
  const tags = { route: "/api/v1/items/" + Math.floor(i / NAMES), method: METHODS[i & 3] };
  if (i % 3 !== 0) tags.status = STATUSES[i % 5];
  return tags;
}
`;

type Tags = Record<string, string>;
export const { seriesName, seriesTags } = new Function(`${SERIES_JS}; return { seriesName, seriesTags };`)() as {
  seriesName: (i: number) => string;
  seriesTags: (i: number) => Tags;
};
