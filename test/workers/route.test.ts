// The default route tag of request metrics (src/platforms/shared/route.ts): ids collapse,
// cardinality stays bounded, ordinary route words survive.
import { describe, expect, it } from "vitest";
import { defaultRoute } from "../../src/platforms/workers/index";

const route = (path: string) => defaultRoute(new Request(`https://example.test${path}`));

describe("defaultRoute", () => {
  it.each([
    ["/", "/"],
    ["/about", "/about"],
    ["/api/v1/users", "/api/v1/users"],
    ["/users/42", "/users/:id"],
    ["/users/42/orders/1001?x=1", "/users/:id/orders/:id"],
    ["/o/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/o/:id"],
    ["/blob/9f86d081884c7d65", "/blob/:id"],
    ["/s/aZ3kP9qR2xY7mN4b", "/s/:id"],
    ["/p/order-12345", "/p/:id"],
    ["/assets/app.js", "/assets/app.js"],
    ["/page2", "/page2"],
    ["/a/b/c/d/e/f/g/h", "/a/b/c/d/e/f/*"],
    [`/x/${"y".repeat(80)}`, "/x/:id"],
  ])("%s → %s", (path, expected) => {
    expect(route(path)).toBe(expected);
  });
});
