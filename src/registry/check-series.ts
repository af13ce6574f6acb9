import { ApptuitValidationError } from "../core/errors/validation-error";
import { MAX_NAME_LENGTH, MAX_TAGS } from "../core/limits";
import type { Tags } from "../core/types";

function invalidSeries(name: string, tags: Tags, rule: string): ApptuitValidationError {
  const shown = JSON.stringify(typeof name === "string" && name.length > 60 ? `${name.slice(0, 60)}…` : name);
  return new ApptuitValidationError(`Invalid series ${shown}: ${rule}`, { index: -1, point: { name, tags }, rule });
}

/**
 * What a new series must satisfy to ever be accepted by the write API, checked once when
 * the series is created (never on a kept handle's updates): a non-empty name, at most 25
 * tags, non-empty keys and values, nothing over `MAX_NAME_LENGTH`. Characters are left to
 * the reporter's `sanitize`. Failing it is a programming error, so it throws at once, where
 * the caller can see it, instead of being rejected by every flush afterwards.
 */
export function checkSeries(name: string, tags: Tags, keys: readonly string[]): void {
  const fail = (rule: string): never => {
    throw invalidSeries(name, tags, rule);
  };
  if (typeof name !== "string" || name === "") fail("the metric name must be a non-empty string");
  if (name.length > MAX_NAME_LENGTH) fail(`the metric name is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`);
  // The write API's limit per point; the reporter's own tags may still push a series past it.
  if (keys.length > MAX_TAGS) fail(`at most ${MAX_TAGS} tags per series; this one has ${keys.length}`);
  for (const key of keys) {
    const value = tags[key]!;
    if (key === "") fail("a tag key is empty");
    if (key.length > MAX_NAME_LENGTH) fail(`tag key ${JSON.stringify(key.slice(0, 40))}… is ${key.length} characters long (at most ${MAX_NAME_LENGTH})`);
    if (value === "") fail(`tag ${JSON.stringify(key)} has an empty value (omit the tag, or give it a value such as "none")`);
    if (value.length > MAX_NAME_LENGTH) fail(`tag ${JSON.stringify(key)} has a value ${value.length} characters long (at most ${MAX_NAME_LENGTH})`);
  }
}
