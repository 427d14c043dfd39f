import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createExampleApp } from "./app";
import { startupMessage } from "./banner";
import { readConfig } from "./config";
import { createInstanceStats } from "./instance-stats";
import { createExampleMetrics } from "./metrics";
import { startRedisMode } from "./redis-mode";

/** The example app, listening. */
export interface RunningApp {
  server: Server;
  /** The port it listens on (the one picked, for `PORT=0`). */
  port: number;
  /** Graceful shutdown: stops listening, lets running requests and jobs finish, closes the queue and Redis. */
  close(): Promise<void>;
}

/**
 * Starts the example app as configured by `env`: rooms in memory, or with `REDIS_URL` in Redis,
 * receiving through the queue and running a worker. Prints the start-up message once it listens
 * and one line per callback. Rejects when the configuration is wrong, Redis cannot be reached or
 * the port cannot be listened on.
 */
export async function start(
  env: Record<string, string | undefined> = process.env,
  print: (line: string) => void = console.log,
): Promise<RunningApp> {
  const config = readConfig(env);
  const stats = createInstanceStats();
  const redisUrl = config.redisUrl;
  const redis =
    redisUrl === undefined ? undefined : await startRedisMode({ ...config, redisUrl }, stats, print);
  const metrics = createExampleMetrics();
  const app = createExampleApp({
    sdkAppId: config.sdkAppId,
    token: config.token,
    log: print,
    stats,
    metrics: metrics.registry,
    ...(redis && {
      mode: "redis",
      rooms: redis.rooms,
      receive: redis.receive,
      queueCounts: redis.queueCounts,
    }),
  });
  const server = app.listen(config.port, config.host);
  try {
    await once(server, "listening");
  } catch (error) {
    await redis?.close();
    metrics.close();
    throw new Error(
      `Cannot listen on ${config.host}:${config.port}: ${(error as Error).message} (set PORT or HOST)`,
      { cause: error },
    );
  }
  const port = (server.address() as AddressInfo).port;
  print(startupMessage(config, port));
  return {
    server,
    port,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      // Keep-alive connections (nginx's, a browser's) would hold close() open while idle.
      server.closeIdleConnections();
      await closed;
      await redis?.close();
      metrics.close();
    },
  };
}

if (require.main === module) {
  start().then(
    (running) => {
      let stopping = false;
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, () => {
          // A second signal while shutting down: stop waiting.
          if (stopping) process.exit(1);
          stopping = true;
          running.close().then(
            () => process.exit(0),
            (error: Error) => {
              console.error(`Shutdown failed: ${error.message}`);
              process.exit(1);
            },
          );
        });
      }
    },
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
