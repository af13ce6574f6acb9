import type * as v from "valibot";

/** Turns a valibot issue's path into `[3].tags.host` / `s[2][0]` for error bodies. */
export function issuePath(issue: v.BaseIssue<unknown>, root = ""): string | undefined {
  if (!issue.path || issue.path.length === 0) return root === "" ? undefined : root;
  let out = root;
  for (const item of issue.path) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}
