/**
 * One receiver, in a process of its own so the load generator never shares
 * its event loop: `node bench/receiver.mjs raw|hand-written|router`. Listens
 * on an ephemeral port of 127.0.0.1 and sends `{ port }` to its parent.
 */
import http from "node:http";
import { pathToFileURL } from "node:url";
import express from "express";
import { built } from "./build.mjs";
import { ACK, SDK_APP_ID } from "./fixture.mjs";

const receivers = {
  // The floor any Node receiver pays: read the body, parse it, write the ack.
  raw: () =>
    http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const body = JSON.stringify(ACK);
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        });
        res.end(body);
      });
    }),

  // What a user writes without the package.
  "hand-written": () => {
    const app = express();
    app.post("/trtc", express.json(), (req, res) => {
      res.json(ACK);
    });
    return http.createServer(app);
  },

  // The package, with a handler that does nothing.
  router: async () => {
    // Loaded only here, so the other receivers' profiles carry none of its start-up.
    const { createCallbackRouter } = await import(pathToFileURL(built("index")).href);
    const app = express();
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
      }),
    );
    return http.createServer(app);
  },

  // The package on plain node:http.
  listener: async () => {
    const { createCallbackListener } = await import(pathToFileURL(built("index")).href);
    return http.createServer(
      createCallbackListener({
        sdkAppId: SDK_APP_ID,
        handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
      }),
    );
  },
};

const kind = process.argv[2];
const create = receivers[kind];
if (create === undefined) {
  process.stderr.write(`usage: node receiver.mjs ${Object.keys(receivers).join("|")}\n`);
  process.exit(2);
}
const server = await create();
server.keepAliveTimeout = 60_000;
// CPU time per request is steadier than requests/s on a shared machine: the parent asks for both counters.
let requests = 0;
server.on("request", () => requests++);
process.on("message", (message) => {
  if (message === "usage") process.send({ cpu: process.cpuUsage(), requests });
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  // Under the benchmark, report to the parent; run alone (e.g. with --cpu-prof), print the port.
  if (process.send) process.send({ port });
  else process.stdout.write(`${kind} receiver on http://127.0.0.1:${port}\n`);
});
// Exit normally (so --cpu-prof writes its profile) when stopped or when the benchmark ends.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
process.on("disconnect", () => process.exit(0));
