import express from "express";
import { createCallbackRouter, type CallbackRouterOptions } from "trtc-room-callbacks";

/** The example backend: the callback router at /trtc and a health check. */
export function createExampleApp(
  options: Pick<CallbackRouterOptions<express.Request>, "sdkAppId" | "token">,
) {
  const app = express();
  const events: { command: string; roomId: string }[] = [];
  app.use(
    "/trtc",
    createCallbackRouter({
      ...options,
      handlers: {
        "Room.CallbackAfterMemberEnter": (event) =>
          void events.push({ command: event.CallbackCommand, roomId: event.RoomId }),
        "Room.CallbackAfterMemberLeave": (event) =>
          void events.push({ command: event.CallbackCommand, roomId: event.RoomId }),
      },
    }),
  );
  app.get("/events", (_req, res) => void res.json(events));
  app.get("/healthz", (_req, res) => void res.json({ ok: true }));
  return app;
}
