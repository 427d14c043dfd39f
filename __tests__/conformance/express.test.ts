import express, { type Request } from "express";
import { IncomingMessage, createServer } from "node:http";
import { createCallbackRouter } from "trtc-room-callbacks";
import { conformanceOptions, type Records } from "./behaviour";
import { closeServer, drain, listen, runConformance } from "./run";

// Runs under Express 5 and, in jest's express4 project, Express 4.
runConformance("express", async () => {
  const records: Records = { calls: [], errors: [] };
  const app = express();
  const isOwn = (request: Request) => request instanceof IncomingMessage && typeof request.get === "function";
  app.use("/trtc", createCallbackRouter(conformanceOptions(isOwn, records)));
  const server = createServer(app);
  const port = await listen(server);
  return { port, records: drain(records), close: () => closeServer(server) };
});
