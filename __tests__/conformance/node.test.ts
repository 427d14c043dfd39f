import { IncomingMessage, createServer } from "node:http";
import { createCallbackListener } from "trtc-room-callbacks";
import { conformanceOptions, type Records } from "./behaviour";
import { closeServer, drain, listen, runConformance } from "./run";

runConformance("node", async () => {
  const records: Records = { calls: [], errors: [] };
  const isOwn = (request: IncomingMessage) => request instanceof IncomingMessage;
  const server = createServer(createCallbackListener(conformanceOptions(isOwn, records)));
  const port = await listen(server);
  return { port, records: drain(records), close: () => closeServer(server) };
});
