// A page's init takes the options every runtime takes: transport options go under
// `clientOptions`, and one given at the top level is refused, not silently ignored.
import { describe, expect, it } from "vitest";
import { ApptuitConfigError } from "../../../src/core/errors/config-error";
import { init as initEither } from "../../../src/platforms/browser/entry";
import { init } from "../../../src/platforms/browser/relay-entry";
import { init as initDirectTag } from "../../../src/iife-direct";

describe("page init options", () => {
  it.each(["timeout", "fetch", "sanitize"])("refuses a top-level %s with an ApptuitConfigError naming clientOptions", (key) => {
    const options = { relayUrl: "/apptuit", [key]: key === "fetch" ? globalThis.fetch : key === "timeout" ? 1_000 : "prometheus" };
    expect(() => init(options as Parameters<typeof init>[0])).toThrow(ApptuitConfigError);
    expect(() => init(options as Parameters<typeof init>[0])).toThrow(/clientOptions/);
  });

  it("uses clientOptions.fetch and clientOptions.timeout in relay mode", async () => {
    const requests: Request[] = [];
    const fetch = async (input: RequestInfo | URL, requestInit?: RequestInit) => {
      requests.push(new Request(new URL(String(input), "http://page.test"), requestInit));
      return new Response(null, { status: 204 });
    };
    const handle = init({ relayUrl: "/apptuit", interval: 3_600_000, onError: null, clientOptions: { fetch, timeout: 2_000 } });
    handle.registry.counter("clicks").inc();
    const result = await handle.flush();
    await handle.shutdown();
    expect(requests.length).toBeGreaterThan(0);
    expect(result.errors).toEqual([]);
  });

  it("chooses one mode: relayUrl or endpoint + token, not both and not neither", () => {
    expect(() => initEither({ relayUrl: "/apptuit", token: "t", onError: null })).toThrow(/not both/);
    expect(() => initEither({ onError: null })).toThrow(ApptuitConfigError);
    expect(() => initEither({ onError: null })).toThrow(/relayUrl/);
  });

  it("the relay-only init refuses options without relayUrl, pointing to apptuit/browser", () => {
    const options = { token: "t", endpoint: "https://api.example" } as unknown as Parameters<typeof init>[0];
    expect(() => init(options)).toThrow(ApptuitConfigError);
    expect(() => init(options)).toThrow(/apptuit\/browser/);
  });

  it("the direct script tag's init refuses relayUrl, even beside endpoint + token, naming apptuit.iife.js", () => {
    for (const options of [
      { relayUrl: "/apptuit", onError: null },
      { relayUrl: "/apptuit", endpoint: "https://api.example", token: "t", onError: null },
    ] as unknown as Parameters<typeof initDirectTag>[0][]) {
      expect(() => initDirectTag(options)).toThrow(ApptuitConfigError);
      expect(() => initDirectTag(options)).toThrow(/relayUrl.*apptuit\.iife\.js/);
    }
  });
});
