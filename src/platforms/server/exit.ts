import type { ExitSignal, ServerRuntime } from "./runtime";

export interface ExitHookOptions {
  /** Flush when the event loop runs dry (Deno `beforeunload`, Node `beforeExit`). */
  flushOnExit: boolean;
  /** Signals on which to flush, then end the process as the signal would have. */
  signals: readonly ExitSignal[];
  /** Longest wait for the final flush on a signal, in ms. */
  exitTimeout: number;
}

export interface ExitHooks {
  /** Lets the next idle event flush again: called on every interval tick (the process was alive). */
  rearm(): void;
  dispose(): void;
}

/**
 * Flush on exit without looping: both runtimes raise their "idle" event again once the work
 * it started is done, so the flush runs once per idle period and the second event lets the
 * process end. Any interval tick in between (the process lived on) re-arms it.
 */
export function installExitHooks(
  runtime: ServerRuntime,
  flush: () => Promise<unknown>,
  shutdown: () => Promise<void>,
  options: ExitHookOptions,
): ExitHooks {
  const removers: (() => void)[] = [];
  let armed = true;

  if (options.flushOnExit) {
    removers.push(
      runtime.onIdle(() => {
        if (!armed) return undefined;
        armed = false;
        return flush().then(
          () => undefined,
          () => undefined, // a flush reports its own errors through the reporter's handler
        );
      }),
    );
  }

  let signalled = false;
  for (const signal of options.signals) {
    removers.push(
      runtime.onSignal(signal, () => {
        if (signalled) return;
        signalled = true;
        void withTimeout(shutdown(), options.exitTimeout).finally(() => runtime.exitForSignal(signal));
      }),
    );
  }

  return {
    rearm: () => {
      armed = true;
    },
    dispose: () => {
      for (const remove of removers.splice(0)) remove();
    },
  };
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work.then(noop, noop), deadline]).finally(() => clearTimeout(timer));
}

function noop(): void {}
