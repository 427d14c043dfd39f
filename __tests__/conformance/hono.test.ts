import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Server } from "node:http";
import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";
import { conformanceOptions, type Records } from "./behaviour";
import { closeServer, drain, runConformance } from "./run";

runConformance("hono", async () => {
  const records: Records = { calls: [], errors: [] };
  const handler = createCallbackFetchHandler(
    conformanceOptions((r: Request) => r instanceof Request, records),
  );
  const app = new Hono();
  app.all("/trtc", (c) => handler(c.req.raw));
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({ server: started as Server, port: info.port }),
    );
  });
  return { port, records: drain(records), close: () => closeServer(server) };
});
