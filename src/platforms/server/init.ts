import { Apptuit } from "../../core/client";
import { MetricsRegistry } from "../../registry/registry";
import { ApptuitReporter } from "../../reporter/reporter";
import type { ReporterPlatform } from "../../reporter/platform";
import { checkNoTopLevelClientOptions } from "../shared/init-options";
import { ENV_NAMES, envConfig, missingTokenError } from "./env";
import { installExitHooks } from "./exit";
import { hostTags } from "./host-tag";
import type { ServerHandle, ServerInitOptions } from "./options";
import type { ExitSignal, ServerRuntime } from "./runtime";

const ALL_SIGNALS: readonly ExitSignal[] = ["SIGINT", "SIGTERM"];

/**
 * The shared body of `init()` for long-lived processes: options and environment → client,
 * registry, reporter on unref'd timers, flush when the process runs out of work.
 */
export function initServer(options: ServerInitOptions, runtime: ServerRuntime): ServerHandle {
  checkNoTopLevelClientOptions(options);
  const {
    registry = new MetricsRegistry(),
    client: givenClient,
    env: givenEnv,
    token: givenToken,
    endpoint,
    globalTags,
    clientOptions,
    hostTag,
    flushOnExit = true,
    signals = false,
    exitTimeout = 5_000,
    ...reporterOptions
  } = options;
  const read = givenEnv ? { env: givenEnv, denied: [] } : runtime.readEnv(ENV_NAMES);
  const fromEnv = envConfig(read);

  let client = givenClient;
  if (!client) {
    const token = givenToken ?? fromEnv.token;
    if (token === undefined) throw missingTokenError(read);
    client = new Apptuit({
      ...clientOptions,
      token,
      endpoint: endpoint ?? fromEnv.endpoint,
      globalTags: globalTags ?? fromEnv.tags,
    });
  }

  const tags = hostTags({
    option: hostTag,
    disabledByEnv: fromEnv.disableHostTag,
    reporterTags: options.tags,
    globalTags: givenClient ? undefined : (globalTags ?? fromEnv.tags),
    hostname: () => runtime.hostname(),
  });

  let rearm = (): void => {};
  const timers: ReporterPlatform = {
    setInterval: (fn, ms) =>
      runtime.timers.setInterval(() => {
        rearm();
        fn();
      }, ms),
    clearInterval: (handle) => runtime.timers.clearInterval(handle),
  };

  const reporter = new ApptuitReporter({
    temporality: "cumulative",
    ...withoutUndefined(reporterOptions),
    tags,
    registry,
    client,
    platform: timers,
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    hooks.dispose();
    return (stopping ??= reporter.stop().then(() => undefined));
  };
  const hooks = installExitHooks(runtime, () => reporter.flush(), shutdown, {
    flushOnExit,
    signals: signals === true ? ALL_SIGNALS : signals === false ? [] : signals,
    exitTimeout,
  });
  rearm = hooks.rearm;

  reporter.start();
  return { registry, reporter, client, shutdown };
}

/** An option given as `undefined` is not given: the reporter's default applies. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
