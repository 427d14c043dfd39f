import express from "express";
import type { Registry } from "prom-client";
import { COMMAND_NAMES, createCallbackRouter, type CallbackHandlers } from "trtc-room-callbacks";
import { createRoomState, memoryRoomStore, type RoomState } from "trtc-room-callbacks/room-state";
import { createInstanceStats, type InstanceStats } from "./instance-stats";
import { serveMetrics } from "./metrics";
import { roomHandlers } from "./room-handlers";

/** What {@link createExampleApp} needs. */
export interface ExampleAppOptions {
  /** The SDKAppID callbacks must carry. */
  sdkAppId: number | string;
  /** The callback authentication token, if Tencent signs callbacks. */
  token?: string | undefined;
  /** The room state to serve; by default a new one in this process's memory. */
  rooms?: RoomState | undefined;
  /**
   * What the router does with a validated callback. By default it applies the event to `rooms`;
   * in Redis mode it queues it (`enqueueCallbacks(queue)`) for the workers.
   */
  receive?: CallbackHandlers<unknown> | undefined;
  /** This instance's counts, served at `/healthz`; new ones by default. */
  stats?: InstanceStats | undefined;
  /** `/healthz`'s `mode`: where rooms live. Default `"memory"`. */
  mode?: "memory" | "redis" | undefined;
  /** Redis mode: the queue's job counts, the same on every instance, added to `/healthz`. */
  queueCounts?: (() => Promise<Record<string, number>>) | undefined;
  /** Where to write one line per callback and per failure; nowhere by default. */
  log?: ((line: string) => void) | undefined;
  /** Serves `GET /metrics` from this registry (`createExampleMetrics().registry`); no `/metrics` by default. */
  metrics?: Registry | undefined;
}

/**
 * The example backend: keeps the live state of rooms from Tencent's callbacks
 * (received at `/trtc`) and serves it at `GET /rooms` and `GET /rooms/:roomId`,
 * with this instance's counts at `GET /healthz`.
 */
export function createExampleApp(options: ExampleAppOptions): express.Express {
  const log = options.log ?? (() => {});
  const rooms = options.rooms ?? createRoomState({ store: memoryRoomStore() });
  const stats = options.stats ?? createInstanceStats();
  const receive = options.receive ?? (roomHandlers(rooms, stats, log) as CallbackHandlers<unknown>);

  const app = express();
  app.disable("x-powered-by");
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: options.sdkAppId,
      token: options.token,
      handlers: countAccepted(receive, stats),
      onError: (error, info) => {
        stats.callbacks.failed++;
        log(`${info.receivedCommand ?? "callback"} rejected: ${error.code} ${error.message}`);
      },
    }),
  );
  app.get("/rooms", (_req, res, next) => {
    rooms.list().then((list) => res.json({ rooms: list }), next);
  });
  app.get("/rooms/:roomId", (req, res, next) => {
    rooms.get(req.params.roomId).then((room) => {
      if (room) res.json(room);
      else res.status(404).json({ error: `no room ${JSON.stringify(req.params.roomId)}` });
    }, next);
  });
  if (options.metrics) app.get("/metrics", serveMetrics(options.metrics));
  app.get("/healthz", (_req, res) => {
    Promise.all([rooms.list(), options.queueCounts?.()]).then(
      ([list, queue]) =>
        res.json({
          ok: true,
          mode: options.mode ?? "memory",
          pid: process.pid,
          rooms: list.length,
          callbacks: stats.callbacks,
          events: stats.events,
          ...(queue && { queue }),
        }),
      (error: Error) => res.status(503).json({ ok: false, error: error.message }),
    );
  });
  // A room read that failed (Redis away): JSON naming the cause, not Express's HTML page.
  app.use((error: Error, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) next(error);
    else res.status(503).json({ error: `cannot read the rooms: ${error.message}` });
  });
  return app;
}

/** The handlers, each counting the callbacks it accepted in time (the router acks those OK). */
function countAccepted(handlers: CallbackHandlers<unknown>, stats: InstanceStats): CallbackHandlers<unknown> {
  const counted: Record<string, unknown> = {};
  for (const command of COMMAND_NAMES) {
    const handler = handlers[command] as
      ((event: unknown, context: { signal: AbortSignal }) => unknown) | undefined;
    if (!handler) continue;
    counted[command] = async (event: unknown, context: { signal: AbortSignal }) => {
      await handler(event, context);
      // Past the router's deadline the ack is FAIL, and onError counts it.
      if (!context.signal.aborted) stats.callbacks.accepted++;
    };
  }
  return counted as CallbackHandlers<unknown>;
}
