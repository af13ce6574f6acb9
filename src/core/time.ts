import * as v from "valibot";
import { TimestampSchema } from "./schemas/point";
import { ApptuitValidationError } from "./errors/validation-error";

/** A query time (seconds or Date) → seconds, with the same sanity rules as point timestamps. */
export function toSeconds(value: number | Date, name: string): number {
  const parsed = v.safeParse(TimestampSchema, value, { abortEarly: true });
  if (parsed.success) return parsed.output;
  const rule = parsed.issues[0].message.replace(/^timestamp/, name);
  throw new ApptuitValidationError(`Invalid query ${name}: ${rule}`, { index: -1, point: value, rule });
}
