import * as v from "valibot";
import { ResponseTagsSchema } from "../schemas/tags";

/** Prometheus sample values are strings: "1.5", "NaN", "+Inf", "-Inf". */
const PromNumber = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const text = dataset.value;
    const n = text === "+Inf" || text === "Inf" ? Infinity : text === "-Inf" ? -Infinity : Number(text);
    if (Number.isNaN(n) && text !== "NaN") {
      addIssue({ message: `expected a numeric sample value, got ${JSON.stringify(text)}` });
      return NEVER;
    }
    return n;
  }),
);

/** `[unix seconds (float), "value"]` */
const Sample = v.tuple([v.number(), PromNumber]);

const Matrix = v.object({
  resultType: v.literal("matrix"),
  result: v.array(v.object({ metric: ResponseTagsSchema, values: v.array(Sample) })),
});
const Vector = v.object({
  resultType: v.literal("vector"),
  result: v.array(v.object({ metric: ResponseTagsSchema, value: Sample })),
});
const Scalar = v.object({ resultType: v.literal("scalar"), result: Sample });

const Success = v.object({
  status: v.literal("success"),
  data: v.variant("resultType", [Matrix, Vector, Scalar]),
  warnings: v.optional(v.array(v.string())),
});
const Failure = v.object({ status: v.literal("error"), errorType: v.string(), error: v.string() });

/** Body of `/api/v1/query_range` and `/api/v1/query` (docs/wire-format.md). */
export const PromResponseSchema = v.variant("status", [Success, Failure]);

export type PromResponse = v.InferOutput<typeof PromResponseSchema>;
export type PromData = Extract<PromResponse, { status: "success" }>["data"];
