import { afterAll, describe, expect, it } from "vitest";
import { Apptuit, ApptuitConfigError, parseBooleanEnv, parseTags, readDisableHostTag } from "../../../src/core";
import { caught, catchSync, expectNoToken, TOKEN } from "./helpers";

afterAll(() => expectNoToken(caught));

describe("parseTags (APPTUIT_TAGS)", () => {
  it("parses 'k1: v1, k2: v2' with optional spaces", () => {
    expect(parseTags("k1: v1, k2: v2")).toEqual({ k1: "v1", k2: "v2" });
    expect(parseTags("k1:v1,k2:v2")).toEqual({ k1: "v1", k2: "v2" });
    expect(parseTags("  url: x.example ,")).toEqual({ url: "x.example" });
    expect(parseTags("")).toEqual({});
  });

  it("refuses a pair without ':' naming the variable and the expected format", () => {
    const error = catchSync(() => parseTags("k1: v1, broken", "APPTUIT_TAGS"));
    expect(error).toBeInstanceOf(ApptuitConfigError);
    expect(error.name).toBe("ApptuitConfigError");
    expect(error.message).toContain("APPTUIT_TAGS");
    expect(error.message).toContain('"broken"');
    expect(error.message).toContain('"k1: v1, k2: v2"');
    expect(() => parseTags("k1:", "MY_TAGS")).toThrow(/MY_TAGS/);
  });
});

describe("APPTUIT_DISABLE_HOST_TAG", () => {
  it("reads booleans and refuses anything else clearly", () => {
    expect(readDisableHostTag({})).toBe(false);
    expect(readDisableHostTag({ APPTUIT_DISABLE_HOST_TAG: "True" })).toBe(true);
    expect(readDisableHostTag({ APPTUIT_DISABLE_HOST_TAG: "1" })).toBe(true);
    expect(readDisableHostTag({ APPTUIT_DISABLE_HOST_TAG: "no" })).toBe(false);
    expect(parseBooleanEnv({ X: "" }, "X", true)).toBe(true);
    const error = catchSync(() => readDisableHostTag({ APPTUIT_DISABLE_HOST_TAG: "maybe" }));
    expect(error).toBeInstanceOf(ApptuitConfigError);
    expect(error.message).toMatch(/APPTUIT_DISABLE_HOST_TAG.*"maybe".*true\/false/);
  });
});

describe("client options", () => {
  it("refuses a missing token at construction", () => {
    const error = catchSync(() => new Apptuit());
    expect(error).toBeInstanceOf(ApptuitConfigError);
    expect(error.message).toMatch(/token/);
    expect(error.message).toMatch(/APPTUIT_API_TOKEN/);
    expect(() => new Apptuit({ env: { APPTUIT_API_TOKEN: "" } })).toThrow(ApptuitConfigError);
  });

  it("takes the token from env", () => {
    expect(() => new Apptuit({ env: { APPTUIT_API_TOKEN: TOKEN } })).not.toThrow();
  });

  it("refuses a token that cannot go into a header without echoing it", () => {
    const error = catchSync(() => new Apptuit({ token: `${TOKEN}\nX-Evil: 1` }));
    expect(error).toBeInstanceOf(ApptuitConfigError);
  });

  it("resolves endpoints: write/query overrides, prom under query by default", () => {
    expect(new Apptuit({ token: TOKEN }).endpoints).toEqual({
      write: "https://api.apptuit.ai",
      query: "https://api.apptuit.ai",
      prom: "https://api.apptuit.ai/prometheus",
    });
    const c = new Apptuit({ token: TOKEN, writeEndpoint: "http://127.0.0.1:4242/", queryEndpoint: "http://127.0.0.1:8428" });
    expect(c.endpoints).toEqual({
      write: "http://127.0.0.1:4242",
      query: "http://127.0.0.1:8428",
      prom: "http://127.0.0.1:8428/prometheus",
    });
    expect(new Apptuit({ token: TOKEN, promEndpoint: "http://vm:8428" }).endpoints.prom).toBe("http://vm:8428");
    expect(new Apptuit({ token: TOKEN, env: { APPTUIT_ENDPOINT: "http://x.test" } }).endpoints.write).toBe("http://x.test");
    expect(() => new Apptuit({ token: TOKEN, endpoint: "not a url" })).toThrow(ApptuitConfigError);
  });

  it("refuses bad sanitize, timeout, retry and globalTags", () => {
    expect(() => new Apptuit({ token: TOKEN, sanitize: "nope" as never })).toThrow(/sanitize/);
    expect(() => new Apptuit({ token: TOKEN, timeout: -1 })).toThrow(/timeout/);
    expect(() => new Apptuit({ token: TOKEN, retry: 1.5 })).toThrow(/retry.limit/);
    expect(() => new Apptuit({ token: TOKEN, globalTags: { a: "" } })).toThrow(/globalTags/);
    expect(() => new Apptuit({ token: TOKEN, env: { APPTUIT_TAGS: "oops" } })).toThrow(/APPTUIT_TAGS/);
  });

  it("does not expose the token on the instance", () => {
    const c = new Apptuit({ token: TOKEN });
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(Object.values(c).join(" ")).not.toContain(TOKEN);
  });
});
