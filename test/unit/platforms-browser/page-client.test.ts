// The direct script tag's client reads no environment: a page has none, so `env` (which
// plain JavaScript may still pass) supplies neither the token, nor the endpoint, nor tags.
import { describe, expect, it } from "vitest";
import { Apptuit } from "../../../src/core/client";
import { ApptuitConfigError } from "../../../src/core/errors/config-error";
import { ApptuitValidationError } from "../../../src/core/errors/validation-error";
import { PageClient } from "../../../src/platforms/browser/page-client";

const env = { APPTUIT_API_TOKEN: "env-token", APPTUIT_ENDPOINT: "https://env.example", APPTUIT_TAGS: "dc: eu-1" };
const point = { metric: "m", timestamp: 1_700_000_000, value: 1 };

describe("PageClient", () => {
  it("takes no token from env", () => {
    // The servers' client does.
    expect(() => new Apptuit({ env })).not.toThrow();
    expect(() => new PageClient({ env } as object)).toThrow(ApptuitConfigError);
    expect(() => new PageClient({ env } as object)).toThrow(/No API token/);
  });

  it("takes neither the endpoint nor the global tags from env", () => {
    const server = new Apptuit({ token: "t", env });
    expect(server.endpoints.write).toBe("https://env.example");
    expect(server.prepare([point])[0]!.tags).toEqual({ dc: "eu-1" });

    const page = new PageClient({ token: "t", env } as object);
    expect(page.endpoints.write).toBe("https://api.apptuit.ai");
    // No tags at all: the write API's rule refuses the point.
    expect(() => page.prepare([point])).toThrow(ApptuitValidationError);
    expect(new PageClient({ token: "t", globalTags: { dc: "x" } }).prepare([point])[0]!.tags).toEqual({ dc: "x" });
  });
});
