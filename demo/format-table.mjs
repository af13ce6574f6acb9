// Text rendering of a query table (core's `toTable()`) for terminals.

/**
 * Renders `{ timestamps, columns }` as an aligned text table: a UTC time column, then one
 * right-aligned column per series. Tags shared by every column go into the caption, so the
 * headers only show what tells the columns apart.
 */
export function formatTable(table, { title = "", digits = 2 } = {}) {
  const { timestamps, columns } = table;
  if (columns.length === 0) return `${title}\n  (no series)\n`;
  const common = commonTags(columns);
  const sameMetric = columns.every((c) => c.metric === columns[0].metric);
  const headers = columns.map((c) => {
    const own = Object.keys(c.tags)
      .sort()
      .filter((k) => !(k in common))
      .map((k) => `${k}:${c.tags[k]}`)
      .join(", ");
    return sameMetric ? own || "value" : own ? `${c.metric}{${own}}` : c.metric;
  });
  const caption = [
    sameMetric ? columns[0].metric : "",
    Object.entries(common)
      .map(([k, v]) => `${k}:${v}`)
      .join(", "),
  ]
    .filter(Boolean)
    .join("  ");

  const rows = timestamps.map((t, i) => [
    formatTime(t),
    ...columns.map((c) => (c.values[i] === null ? "-" : Number(c.values[i]).toFixed(digits))),
  ]);
  const head = ["time (UTC)", ...headers];
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells) => cells.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join("  ");
  const out = [
    title && `${title}${caption ? `  [${caption}]` : ""}`,
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ];
  return `${out.filter((s) => s !== "").join("\n")}\n`;
}

/** Tags with the same value in every column (all of them when there is one column). */
function commonTags(columns) {
  const [first, ...rest] = columns;
  const keys = Object.keys(first.tags).sort();
  return Object.fromEntries(keys.filter((k) => rest.every((c) => c.tags[k] === first.tags[k])).map((k) => [k, first.tags[k]]));
}

function formatTime(seconds) {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}
