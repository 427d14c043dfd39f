import express from "express";
import Fastify from "fastify";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import Koa from "koa";
import http, { IncomingMessage, type Server } from "node:http";
import { Server as NetServer, type AddressInfo } from "node:net";
import serverless from "serverless-http";
import { createCallbackListener, createCallbackRouter, type CallbackHandlers } from "trtc-room-callbacks";
import { trtcRoomCallbacks } from "trtc-room-callbacks/fastify";
import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";
import { samples } from "./helpers/fixtures";
import { send } from "./helpers/raw-client";

/**
 * The README's "Platforms" samples, each run: the Node-hosted ones (Express,
 * node:http, Koa, Fastify, Hono, Next.js, AWS Lambda, SCF) here; Bun, Deno
 * and Workers in platforms.runtimes.test.ts. A sample's fixed port is moved
 * to an ephemeral one of 127.0.0.1 (tests never take a fixed port).
 */

const SEAT = "Mic.CallbackAfterSeatInfoChanged";
const QUERY = `SdkAppid=1400000001&CallbackCommand=${SEAT}&contenttype=json&ClientIP=1.2.3.4&OptPlatform=Web`;
const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

/** What the samples' handlers saw: the seat's user ID and the request object. */
let seen: { member: unknown; request: unknown }[] = [];
const handlers: CallbackHandlers<unknown> = {
  "Mic.CallbackAfterSeatInfoChanged": (event, context) => {
    seen.push({ member: event.SeatList?.[0]?.Member_Account, request: context.request });
  },
};

let listening: NetServer[] = [];
beforeEach(() => {
  seen = [];
  listening = [];
  const listen = NetServer.prototype.listen as (this: NetServer, ...args: unknown[]) => NetServer;
  jest.spyOn(NetServer.prototype, "listen").mockImplementation(function (
    this: NetServer,
    ...args: unknown[]
  ) {
    listening.push(this);
    const callback = args.find((arg) => typeof arg === "function") as (() => void) | undefined;
    return listen.call(this, 0, "127.0.0.1", callback);
  });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(
    listening.map(
      (server) =>
        new Promise<void>((resolve) => {
          (server as Server).closeAllConnections?.();
          server.close(() => resolve());
        }),
    ),
  );
});

/** The port of the one server a sample started, once it listens. */
async function portOfSample(): Promise<number> {
  const [server] = listening;
  if (server === undefined) throw new Error("the sample started no server");
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  return (server.address() as AddressInfo).port;
}

/** Posts the documented seat sample (18-digit bare-number ID) and checks the answer and the handler's view. */
async function expectCallbackServed(
  port: number,
  isOwnRequest: (request: unknown) => boolean,
): Promise<void> {
  const res = await send(port, { path: `/trtc?${QUERY}`, body: samples[SEAT] });
  expect({ status: res.status, ack: JSON.parse(res.text) as unknown }).toEqual({ status: 200, ack: OK });
  expect(seen.map((call) => call.member)).toEqual(["144115233775727695"]);
  expect(isOwnRequest(seen[0]?.request)).toBe(true);
}

it("Express", async () => {
  // README: "Express" (begin)
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers }));
  app.listen(3000);
  // README: "Express" (end)
  await expectCallbackServed(await portOfSample(), (r) => r instanceof IncomingMessage && "app" in r);
});

it("node:http", async () => {
  // README: "node:http" (begin)
  const listener = createCallbackListener({ sdkAppId: 1400000001, handlers });
  http.createServer(listener).listen(3000);
  // README: "node:http" (end)
  await expectCallbackServed(await portOfSample(), (r) => r instanceof IncomingMessage);
});

it("Koa, with its other routes untouched", async () => {
  // README: "Koa" (begin)
  const listener = createCallbackListener({ sdkAppId: 1400000001, handlers });
  const app = new Koa();
  app.use((ctx, next) => {
    if (ctx.path !== "/trtc") return next();
    ctx.respond = false;
    listener(ctx.req, ctx.res);
  });
  app.listen(3000);
  // README: "Koa" (end)
  app.use((ctx) => {
    ctx.body = "koa";
  });
  const port = await portOfSample();
  await expectCallbackServed(port, (r) => r instanceof IncomingMessage);
  expect((await send(port, { method: "GET", path: "/other" })).text).toBe("koa");
});

it("Fastify, with the app's own JSON parser kept for its other routes", async () => {
  // README: "Fastify" (begin)
  const app = Fastify();
  await app.register(trtcRoomCallbacks, { prefix: "/trtc", sdkAppId: 1400000001, handlers });
  await app.listen({ port: 3000 });
  // README: "Fastify" (end)
  try {
    const port = (app.server.address() as AddressInfo).port;
    await expectCallbackServed(port, (r) => typeof r === "object" && r !== null && "routeOptions" in r);
    const got = await send(port, { method: "DELETE", path: `/trtc?${QUERY}` });
    expect({ status: got.status, allow: got.headers["allow"] }).toEqual({ status: 405, allow: "POST" });
  } finally {
    await app.close();
  }
});

it("Fastify: the plugin's parser does not leak to the app's other routes", async () => {
  const app = Fastify();
  await app.register(trtcRoomCallbacks, { prefix: "/trtc", sdkAppId: 1400000001, handlers });
  app.post("/json", (request) => ({ parsed: request.body }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    const port = (app.server.address() as AddressInfo).port;
    const res = await send(port, {
      path: "/json",
      headers: { "Content-Type": "application/json" },
      body: '{"a":1}',
    });
    expect(JSON.parse(res.text)).toEqual({ parsed: { a: 1 } });
  } finally {
    await app.close();
  }
});

it("Fastify: an option typo rejects register with a suggestion", async () => {
  const app = Fastify();
  const options = { prefix: "/trtc", sdkAppId: 1400000001, handlers, timeoutMS: 1000 };
  await expect(app.register(trtcRoomCallbacks, options)).rejects.toThrow(/did you mean "timeoutMs"/);
  await app.close();
});

it("Hono on @hono/node-server", async () => {
  // README: "Hono" (begin)
  const trtc = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers });
  const app = new Hono();
  app.all("/trtc", (c) => trtc(c.req.raw));
  serve({ fetch: app.fetch, port: 3000 });
  // README: "Hono" (end)
  await expectCallbackServed(await portOfSample(), (r) => r instanceof Request);
});

it("Hono: a body read before the handler gets 500/5901 saying what to do", async () => {
  const trtc = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers });
  const app = new Hono();
  app.post("/trtc", async (c) => {
    await c.req.json();
    return trtc(c.req.raw);
  });
  const res = await app.request(`/trtc?${QUERY}`, { method: "POST", body: samples[SEAT] });
  const ack = (await res.json()) as { ErrorCode: number; ErrorInfo: string };
  expect({ status: res.status, code: ack.ErrorCode }).toEqual({ status: 500, code: 5901 });
  expect(ack.ErrorInfo).toMatch(/c\.req\.raw, before any c\.req\.json\(\)/);
  expect(seen).toEqual([]);
});

// README: "Next.js App Router" (begin)
export const POST = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers });
// README: "Next.js App Router" (end)

it("Next.js App Router: POST called with a real Request", async () => {
  const request = new Request(`https://example.com/trtc?${QUERY}`, { method: "POST", body: samples[SEAT] });
  const res = await POST(request);
  expect({ status: res.status, ack: await res.json() }).toEqual({ status: 200, ack: OK });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(seen).toEqual([{ member: "144115233775727695", request }]);
});

// README: "AWS Lambda" (begin)
const app = express();
app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers }));
export const handler = serverless(app);
// README: "AWS Lambda" (end)

it("AWS Lambda through serverless-http, called with an API Gateway (HTTP API) event", async () => {
  const event = {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/trtc",
    rawQueryString: QUERY,
    headers: { host: "example.execute-api.ap-guangzhou.amazonaws.com" },
    requestContext: { http: { method: "POST", path: "/trtc", sourceIp: "203.0.113.9" }, stage: "$default" },
    body: samples[SEAT],
    isBase64Encoded: false,
  };
  const result = (await handler(event, {})) as { statusCode: number; body: string };
  expect({ status: result.statusCode, ack: JSON.parse(result.body) as unknown }).toEqual({
    status: 200,
    ack: OK,
  });
  expect(seen.map((call) => call.member)).toEqual(["144115233775727695"]);
});

it("Tencent SCF web function: Express as it is, on port 9000", async () => {
  // README: "Tencent SCF web functions" (begin)
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers }));
  app.listen(9000);
  // README: "Tencent SCF web functions" (end)
  expect(NetServer.prototype.listen).toHaveBeenCalledWith(9000);
  await expectCallbackServed(await portOfSample(), (r) => r instanceof IncomingMessage);
});
