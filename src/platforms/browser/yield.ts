/**
 * A `yield` for the sliced interval flush: gives the main thread back once `budgetMs` of
 * work have passed since it last got it back, and otherwise returns nothing (go on at
 * once, no microtask).
 */
export function createYielder(budgetMs = 4, now: () => number = () => performance.now()): () => Promise<void> | undefined {
  let since = -Infinity;
  return () => {
    if (now() - since < budgetMs) return undefined;
    return yieldToMain().then(() => {
      since = now();
    });
  };
}

/**
 * A new task at the back of the queue: a `MessageChannel` message (not clamped like nested
 * `setTimeout`s, not throttled in hidden tabs). Not `scheduler.yield()`: its continuation
 * jumps ahead of the page's own tasks, and a background flush should let them go first.
 */
export function yieldToMain(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
