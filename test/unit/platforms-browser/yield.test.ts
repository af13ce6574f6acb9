import { describe, expect, it } from "vitest";
import { createYielder, yieldToMain } from "../../../src/platforms/browser/yield";

describe("createYielder", () => {
  it("yields when the budget since the last yield is spent, and otherwise lets the work go on", async () => {
    let now = 100;
    const pause = createYielder(4, () => now);
    const first = pause(); // nothing known about the current task: give the thread back
    expect(first).toBeInstanceOf(Promise);
    await first;
    now += 3;
    expect(pause()).toBeUndefined();
    now += 2;
    const second = pause();
    expect(second).toBeInstanceOf(Promise);
    await second;
    expect(pause()).toBeUndefined();
  });
});

describe("yieldToMain", () => {
  it("resumes in a new task (a MessageChannel message), after pending microtasks", async () => {
    const order: string[] = [];
    const done = yieldToMain().then(() => order.push("resumed"));
    await Promise.resolve();
    order.push("microtasks ran");
    await done;
    expect(order).toEqual(["microtasks ran", "resumed"]);
  });
});
