import { describe, expect, it } from "vitest";
import { createBackend } from "../../../src/backend";
import { BASE, point, promRequest, putRequest, queryRequest } from "../../support/requests";

describe("Bearer auth", () => {
  const token = "s3cret-token";

  it("answers 401 JSON to a put without a token or with a wrong one, storing nothing", async () => {
    const backend = createBackend({ token });
    for (const request of [await putRequest([point()]), await putRequest([point()], { token: "wrong" })]) {
      const response = await backend.fetch(request);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe(401);
      expect(text).not.toContain(token);
    }
    expect(backend.points()).toEqual([]);
    expect(backend.stats()).toMatchObject({ puts: 2, rejected: 2 });
  });

  it("accepts the right token", async () => {
    const backend = createBackend({ token });
    expect((await backend.fetch(await putRequest([point()], { token }))).status).toBe(204);
    expect((await backend.fetch(queryRequest("fetch('proc.cpu.percent')", 0, undefined, token))).status).toBe(200);
  });

  it("guards queries and Prometheus queries too", async () => {
    const backend = createBackend({ token });
    expect((await backend.fetch(queryRequest("fetch('m')", 0))).status).toBe(401);
    expect((await backend.fetch(promRequest("query", { query: "m" }))).status).toBe(401);
    const withToken = new Request(`${BASE}/api/v1/query?query=m`, { headers: { authorization: `Bearer ${token}` } });
    expect((await backend.fetch(withToken)).status).toBe(200);
  });

  it("needs no token when none is configured", async () => {
    const backend = createBackend();
    expect((await backend.fetch(await putRequest([point()], { token: "anything" }))).status).toBe(204);
  });
});
