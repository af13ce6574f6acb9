import { Apptuit } from "../../core/client";
import type { ApptuitOptions } from "../../core/options";
import { MetricsRegistry } from "../../registry/registry";
import { ApptuitReporter } from "../../reporter/reporter";
import type { ReporterPlatform } from "../../reporter/platform";
import { ENV_NAMES, envConfig, missingTokenError } from "./env";
import { installExitHooks } from "./exit";
import { hostTags } from "./host-tag";
import { CLIENT_OPTION_KEYS, type ServerHandle, type ServerInitOptions } from "./options";
import type { ExitSignal, ServerRuntime } from "./runtime";

const ALL_SIGNALS: readonly ExitSignal[] = ["SIGINT", "SIGTERM"];

/**
 * The shared body of `init()` for long-lived processes: options and environment → client,
 * registry, reporter on unref'd timers, flush when the process runs out of work.
 */
export function initServer(options: ServerInitOptions, runtime: ServerRuntime): ServerHandle {
  const {
    registry = new MetricsRegistry(),
    client: givenClient,
    env: givenEnv,
    hostTag,
    flushOnExit = true,
    signals = false,
    exitTimeout = 5_000,
    ...rest
  } = options;
  const read = givenEnv ? { env: givenEnv, denied: [] } : runtime.readEnv(ENV_NAMES);
  const fromEnv = envConfig(read);

  const clientOptions: ApptuitOptions = {};
  const reporterOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    if ((CLIENT_OPTION_KEYS as readonly string[]).includes(key)) (clientOptions as Record<string, unknown>)[key] = value;
    else reporterOptions[key] = value;
  }

  let client = givenClient;
  const token = clientOptions.token ?? fromEnv.token;
  if (!client) {
    if (token === undefined) throw missingTokenError(read);
    client = new Apptuit({
      ...clientOptions,
      token,
      endpoint: clientOptions.endpoint ?? fromEnv.endpoint,
      globalTags: clientOptions.globalTags ?? fromEnv.tags,
    });
  }

  const tags = hostTags({
    option: hostTag,
    disabledByEnv: fromEnv.disableHostTag,
    reporterTags: options.tags,
    globalTags: givenClient ? undefined : (clientOptions.globalTags ?? fromEnv.tags),
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
    ...reporterOptions,
    tags,
    registry,
    client,
    // Only so that the default error handler can mask it; the client above does the sending.
    ...(token !== undefined ? { token } : {}),
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
