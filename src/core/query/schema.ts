import * as v from "valibot";
import { ResponseTagsSchema } from "../schemas/tags";

/** `[timestamp seconds, value]`; a null value (no data) is dropped later. */
const DpSchema = v.tuple([v.number(), v.nullable(v.number())]);

const SeriesSchema = v.object({
  metric: v.string(),
  tags: ResponseTagsSchema,
  aggregatedTags: v.optional(v.array(v.string())),
  dps: v.array(DpSchema),
});

/** Body of `GET /api/query` (docs/wire-format.md). Unknown fields are ignored. */
export const QueryResponseSchema = v.object({
  outputs: v.array(v.object({ id: v.string(), result: v.array(SeriesSchema) })),
});

export type QueryResponse = v.InferOutput<typeof QueryResponseSchema>;
