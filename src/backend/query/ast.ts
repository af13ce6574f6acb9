/** Parsed form of a query: what `evaluate` runs. */

export type Aggregator = "avg" | "sum" | "min" | "max" | "count";

/** One tag condition: the series' tag `key` must match one of `patterns` (`*` = any run of characters). */
export interface TagFilter {
  key: string;
  patterns: string[];
}

export type Expr =
  | { kind: "fetch"; metric: string; filters: TagFilter[] }
  | { kind: "downsample"; input: Expr; intervalMs: number; aggregator: Aggregator };

export interface QueryOutputPlan {
  id: string;
  expr: Expr;
}

export interface QueryPlan {
  outputs: QueryOutputPlan[];
}
