import { it } from "vitest";
import { findRegexes } from "./regex-scan";
it("probe", () => { for (const r of findRegexes(process.cwd())) console.log(r.where, r.text.slice(0, 100)); });
