// A page learns how many of its points a relay's 400 stored from the relay's
// `Apptuit-Stored` header (not its body): the interval flush's relay delivery and the
// page-hide channel's posts, each against the real relay (upstream: msw).
import { afterEach, describe, expect, it, vi } from "vitest";
import { KeepaliveQuota } from "../../../src/platforms/browser/quota";
import { RelaySender } from "../../../src/platforms/browser/relay-sender";
import { beaconChannel, keepaliveChannel } from "../../../src/platforms/browser/urgent-channel";
import { makeRelay, PAGE, RELAY_URL, row, T, UPSTREAM, useUpstream } from "../relay/fixtures";

const { backend } = useUpstream();
afterEach(() => vi.unstubAllGlobals());

const limits = { maxBodyBytes: 65_536, maxPoints: 5_000, timeout: 5_000 };
/** The write API stores 7 of the 10 points and names the other 3. */
const partly = () =>
  backend.failNext({
    status: 400,
    body: { success: 7, failed: 3, errors: [0, 1, 2].map((i) => ({ datapoint: row({ value: i }), error: "bad" })) },
  });
/** The page's request to the relay, as a cross-origin page sends it. */
const toRelay = (relay: ReturnType<typeof makeRelay>, init: RequestInit | undefined) =>
  relay(new Request(RELAY_URL, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: PAGE } }));

describe("a relay's 400 for an upstream rejection", () => {
  it("the interval flush's delivery counts the stored part delivered and rejects the rest", async () => {
    const relay = makeRelay({ aggregate: false });
    const sender = new RelaySender({
      url: RELAY_URL,
      globalTags: { page: "/checkout" },
      quota: new KeepaliveQuota(),
      ...limits,
      fetch: (_input, init) => toRelay(relay, init),
    });
    const points = sender.prepare(Array.from({ length: 10 }, (_, i) => ({ metric: "web.clicks", timestamp: T, value: i })));
    partly();
    const outcome = await sender.deliver(points);
    expect(outcome).toMatchObject({ stored: 7, rejected: 3, rejectedStatus: 400, requests: 1, undelivered: [], failure: undefined });
  });

  it.each([
    ["7", 5],
    ["2.9", 2],
    ["-2", 0],
    ["abc", 0],
    ["Infinity", 0],
    [undefined, 0],
  ] as const)(
    "reads %s stored of a 5-point body as %i (clamped; missing or invalid: 0, whatever the body says)",
    async (header, stored) => {
      const bodies: Response[] = [];
      const sender = new RelaySender({
        url: RELAY_URL,
        globalTags: { page: "/checkout" },
        quota: new KeepaliveQuota(),
        ...limits,
        fetch: async () => {
          const answer = new Response('{"success":5}', { status: 400, headers: header === undefined ? {} : { "Apptuit-Stored": header } });
          bodies.push(answer);
          return answer;
        },
      });
      const points = sender.prepare(Array.from({ length: 5 }, (_, i) => ({ metric: "web.clicks", timestamp: T, value: i })));
      const outcome = await sender.deliver(points);
      expect(outcome).toMatchObject({ stored, rejected: 5 - stored, requests: 1 });
      expect(outcome.rejectedStatus).toBe(stored < 5 ? 400 : undefined);
      // Not left pending: cancelled (its `success: 5` is never what counts).
      expect(bodies[0]!.bodyUsed).toBe(true);
    },
  );

  it("the page-hide channel's post beyond the quota answers the stored part", async () => {
    const relay = makeRelay({ aggregate: false });
    const upstream = globalThis.fetch; // msw's: the relay's own writes go there
    vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) =>
      String(input instanceof Request ? input.url : input).startsWith(UPSTREAM) ? upstream(input, init) : toRelay(relay, init),
    );
    const channel = beaconChannel(RELAY_URL, new KeepaliveQuota(), limits);
    partly();
    const rows = Array.from({ length: 10 }, (_, i) => row({ value: i }));
    expect(await channel.post!(JSON.stringify(rows))).toEqual({ stored: 7, status: 400 });
  });

  it("each page-hide channel reads its own server's count: the relay's header, the write API's details body", async () => {
    vi.stubGlobal(
      "fetch",
      async () => new Response('{"success":1,"failed":4,"errors":[]}', { status: 400, headers: { "Apptuit-Stored": "3" } }),
    );
    expect(await beaconChannel(RELAY_URL, new KeepaliveQuota(), limits).post!("[]")).toEqual({ stored: 3, status: 400 });
    const direct = keepaliveChannel("https://api.test/api/put?details", "tok", new KeepaliveQuota(), limits);
    expect(await direct.post!("[]")).toEqual({ stored: 1, status: 400 });
    expect(await direct.send("[]", 2)).toEqual({ stored: 1, status: 400 });
  });
});
