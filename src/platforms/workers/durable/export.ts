import type { DeltaRow } from "../../../relay/compact-v2";
import { ApptuitAggregatorObject } from "./aggregator-object";
import type { AcceptAnswer, ShardConfig, ShardStats } from "./protocol";

/**
 * The Durable Object class as users see it: re-export it from the Worker's module and bind
 * it (docs/durable-objects.md). Typed structurally so that the package's types need no
 * `@cloudflare/workers-types`.
 */
export interface ApptuitAggregatorClass {
  new (
    ctx: unknown,
    env: unknown,
  ): {
    fetch(request: Request): Promise<Response>;
    accept(rows: DeltaRow[], client: string, config: ShardConfig): Promise<AcceptAnswer>;
    stats(): ShardStats;
    alarm(): Promise<void>;
  };
}

export const ApptuitAggregator: ApptuitAggregatorClass = ApptuitAggregatorObject as unknown as ApptuitAggregatorClass;
