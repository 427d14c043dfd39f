import Fastify, { type FastifyRequest } from "fastify";
import { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { trtcRoomCallbacks } from "trtc-room-callbacks/fastify";
import { conformanceOptions, type Records } from "./behaviour";
import { drain, runConformance } from "./run";

runConformance("fastify", async () => {
  const records: Records = { calls: [], errors: [] };
  const isOwn = (request: FastifyRequest) =>
    request.raw instanceof IncomingMessage && typeof request.routeOptions === "object";
  const app = Fastify();
  await app.register(trtcRoomCallbacks, { prefix: "/trtc", ...conformanceOptions(isOwn, records) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    port,
    records: drain(records),
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
});
