import express from "express";
import { createCallbackRouter, type CallbackEvent } from "trtc-room-callbacks";
import { RoomStore } from "./state";

/** What {@link createExampleApp} needs. */
export interface ExampleAppOptions {
  /** The SDKAppID callbacks must carry. */
  sdkAppId: number | string;
  /** The callback authentication token, if Tencent signs callbacks. */
  token?: string | undefined;
  /** The state to update; a new, empty one by default. */
  store?: RoomStore | undefined;
  /** Where to write one line per callback and per failure; nowhere by default. */
  log?: ((line: string) => void) | undefined;
}

/**
 * The example backend: keeps the live state of rooms from Tencent's callbacks
 * (received at `/trtc`) and serves it at `GET /rooms` and `GET /rooms/:roomId`.
 */
export function createExampleApp(options: ExampleAppOptions): express.Express {
  const store = options.store ?? new RoomStore();
  const log = options.log ?? (() => {});

  // Every command updates the same state; the store sorts out order and replays.
  const update = (event: CallbackEvent): void => {
    const result = store.apply(event);
    log(`${event.CallbackCommand} ${roomOf(event)}: ${result}`);
  };

  const app = express();
  app.disable("x-powered-by");
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: options.sdkAppId,
      token: options.token,
      handlers: {
        "Room.CallbackAfterCreateRoom": update,
        "Room.CallbackAfterUpdateRoomInfo": update,
        "Room.CallbackAfterDestroyRoom": update,
        "Room.CallbackAfterMemberEnter": update,
        "Room.CallbackAfterMemberLeave": update,
        "Mic.CallbackAfterSeatInfoChanged": update,
      },
      onError: (error, info) =>
        log(`${info.receivedCommand ?? "callback"} rejected: ${error.code} ${error.message}`),
    }),
  );
  app.get("/rooms", (_req, res) => {
    res.json({ rooms: store.list() });
  });
  app.get("/rooms/:roomId", (req, res) => {
    const room = store.get(req.params.roomId);
    if (room) res.json(room);
    else res.status(404).json({ error: `no room ${JSON.stringify(req.params.roomId)}` });
  });
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, rooms: store.list().length, events: store.stats });
  });
  return app;
}

function roomOf(event: CallbackEvent): string {
  return "RoomInfo" in event ? event.RoomInfo.RoomId : event.RoomId;
}
