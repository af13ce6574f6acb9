import type { Tags } from "../core/types";
import type { Family } from "./family";
import { SERIES_REFUSED } from "./meta";

/** Name and tags of a series, as `collect` reports them. */
export interface SeriesIdentity {
  name: string;
  tags: Tags;
}

/**
 * Which series a handle belongs to, found by walking the families (handles do not carry
 * their name and tags: that would cost memory on every series for a debugging aid). A
 * handle handed out past `maxSeries` belongs to no series: it is named `SERIES_REFUSED`.
 */
export function identify<M>(families: Iterable<Family<M>>, handle: M): SeriesIdentity {
  for (const family of families) {
    let tags: Tags | undefined;
    family.forEach((metric, t) => {
      if (tags === undefined && metric === handle) tags = t;
    });
    if (tags !== undefined) return { name: family.name, tags };
  }
  return { name: SERIES_REFUSED, tags: {} };
}
