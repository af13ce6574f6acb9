// apptuit-py's query test (tests/test_query.py): its recorded response of
// fetch('nyc.taxi.rides') and the DataFrame it expects, as fixtures.
import { readFileSync } from "node:fs";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { client, QUERY_BASE, server } from "./helpers";

const FIXTURES = new URL("../../fixtures/apptuit-py/", import.meta.url);
const response = readFileSync(new URL("response.json", FIXTURES), "utf8");
/** `time,value` rows of the expected DataFrame (times in UTC). */
const expected = readFileSync(new URL("nyc.taxi.rides.csv", FIXTURES), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [time, value] = line.split(",");
    return [Date.parse(`${time!.replace(" ", "T")}Z`) / 1000, Number(value)] as const;
  });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function doQuery() {
  server.use(http.get(`${QUERY_BASE}/api/query`, () => new HttpResponse(response, { headers: { "content-type": "application/json" } })));
  return client({ queryEndpoint: QUERY_BASE }).query("fetch('nyc.taxi.rides')", { start: 1406831400, end: 1407609000 });
}

describe("query (apptuit-py's test_query.py vectors)", () => {
  it("indexes the result by position and by name, with the series' metadata", async () => {
    const result = await doQuery();
    expect(result.at(0)).toBeDefined();
    expect(result.get("nyc.taxi.rides")).toBe(result.at(0));
    const series = result.at(0)!.series;
    expect(series).toHaveLength(1);
    expect(series[0]!.metric).toBe("nyc.taxi.rides");
    expect(series[0]!.tags).toEqual({ host: "localhost" });
  });

  it("gives the table of the expected DataFrame: 433 rows (points before start left out), one column, the same values", async () => {
    const table = (await doQuery()).at(0)!.toTable();
    expect([table.timestamps.length, table.columns.length]).toEqual([433, 1]);
    expect(table.columns[0]!.name).toBe("nyc.taxi.rides{host:localhost}");
    expect(table.timestamps.map((t, i) => [t, table.columns[0]!.values[i]])).toEqual(expected);
  });
});
