/** The example app's settings, from environment variables. */
export interface ExampleConfig {
  /** `PORT`, default 3000; 0 picks a free port. */
  port: number;
  /** `HOST`, default 127.0.0.1 (this machine only); `0.0.0.0` to accept Tencent's requests directly. */
  host: string;
  /** `TRTC_SDK_APP_ID`, default the demo app 1400000001. */
  sdkAppId: string;
  /** `TRTC_CALLBACK_TOKEN`, default none: signatures are not checked. */
  token: string | undefined;
  /**
   * `REDIS_URL`, default none: rooms in this process's memory. When set, rooms live in Redis and
   * callbacks are received through durable delivery (a BullMQ queue and a worker in each instance).
   */
  redisUrl: string | undefined;
  /** `WORKER_CONCURRENCY`, default 8: jobs this instance's worker runs at once (Redis mode). */
  workerConcurrency: number;
  /**
   * `WORKER_LOCK_MS`, default 30000: how long a job stays with an instance that stopped answering
   * (crashed, killed) before another instance's worker runs it (Redis mode).
   */
  workerLockMs: number;
}

export const DEFAULT_CONFIG: ExampleConfig = {
  port: 3000,
  host: "127.0.0.1",
  sdkAppId: "1400000001",
  token: undefined,
  redisUrl: undefined,
  workerConcurrency: 8,
  workerLockMs: 30_000,
};

/** Reads the configuration; throws an `Error` naming the variable to fix. */
export function readConfig(env: Record<string, string | undefined>): ExampleConfig {
  const port = env["PORT"] || String(DEFAULT_CONFIG.port);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, not ${JSON.stringify(port)}`);
  }
  const sdkAppId = env["TRTC_SDK_APP_ID"] || DEFAULT_CONFIG.sdkAppId;
  if (!/^\d+$/.test(sdkAppId)) {
    throw new Error(`TRTC_SDK_APP_ID must be your app's numeric SDKAppID, not ${JSON.stringify(sdkAppId)}`);
  }
  const redisUrl = env["REDIS_URL"] || undefined;
  if (redisUrl !== undefined) redisAddress(redisUrl);
  return {
    port: Number(port),
    host: env["HOST"] || DEFAULT_CONFIG.host,
    sdkAppId,
    token: env["TRTC_CALLBACK_TOKEN"] || undefined,
    redisUrl,
    workerConcurrency: whole(env, "WORKER_CONCURRENCY", DEFAULT_CONFIG.workerConcurrency, 1, 1000),
    workerLockMs: whole(env, "WORKER_LOCK_MS", DEFAULT_CONFIG.workerLockMs, 100, 3_600_000),
  };
}

/**
 * The `host:port` of a Redis URL, to show where state lives without the URL's password.
 * Throws when it is not a `redis://` or `rediss://` URL; the message never repeats the URL,
 * which may hold a password.
 */
export function redisAddress(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || parsed.hostname === "") {
    throw new Error(
      "REDIS_URL must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379 (leave it unset to keep rooms in memory)",
    );
  }
  return `${parsed.hostname}:${parsed.port || "6379"}`;
}

function whole(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name] || String(fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}
