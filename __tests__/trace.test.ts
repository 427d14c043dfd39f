import { AsyncLocalStorage } from "node:async_hooks";
import diagnosticsChannel from "node:diagnostics_channel";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  CallbackError,
  createCallbackListener,
  createCallbackRouter,
  ErrorCodes,
  type CallbackOptions,
} from "../lib";
import fastify, { type FastifyRequest } from "fastify";
import { createCallbackHandle } from "../lib/core/handle";
import { configure } from "../lib/core/options";
import { createTracer, probeTracer, TRACE_CHANNELS, type HandlerTraceMessage } from "../lib/core/trace";
import type { RequestTraceMessage } from "trtc-room-callbacks";
import { webSha256Hex } from "../lib/protocol/signature";
import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";
import { trtcRoomCallbacks } from "trtc-room-callbacks/fastify";
import { samples } from "./helpers/fixtures";

const express4 = jest.requireActual<typeof express>("express4");

const SDK_APP_ID = 1400000001;
const ENTER = "Room.CallbackAfterMemberEnter";
const EVENTS = ["start", "end", "asyncStart", "asyncEnd", "error"] as const;
type EventName = (typeof EVENTS)[number];
type Recorded = { channel: "request" | "handler"; event: EventName; message: Record<string, unknown> };

/** Subscribes to every event of both channels and keeps a copy of each message as it was then. */
function record(): { events: Recorded[]; stop: () => void } {
  const events: Recorded[] = [];
  const subscriptions = (["request", "handler"] as const).map((channel) => {
    const tracing = diagnosticsChannel.tracingChannel(TRACE_CHANNELS[channel]);
    const subscribers = Object.fromEntries(
      EVENTS.map((event) => [
        event,
        (message: object) => events.push({ channel, event, message: { ...message } }),
      ]),
    ) as unknown as diagnosticsChannel.TracingChannelSubscribers<object>;
    tracing.subscribe(subscribers);
    return () => tracing.unsubscribe(subscribers);
  });
  return { events, stop: () => subscriptions.forEach((unsubscribe) => unsubscribe()) };
}

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type Post = (command: string, body: string, sdkAppId?: number) => Promise<{ status: number; ack: unknown }>;
type Transport = (options: CallbackOptions<never>) => Promise<Post>;

/** Every transport, each serving the callback path; `close` stops what it started. */
const transports: [string, RequestTraceMessage["adapter"], Transport][] = [
  [
    "Express 5",
    "express",
    (options) =>
      listen(express().use("/trtc", createCallbackRouter(options as CallbackOptions<express.Request>))),
  ],
  [
    "Express 4",
    "express",
    (options) =>
      listen(
        express4().use(
          "/trtc",
          createCallbackRouter(options as CallbackOptions<express.Request>),
        ) as Listener,
      ),
  ],
  [
    "node:http listener",
    "node",
    (options) => listen(createCallbackListener(options as CallbackOptions<http.IncomingMessage>)),
  ],
  [
    "Fastify",
    "fastify",
    async (options) => {
      const app = fastify();
      await app.register(trtcRoomCallbacks, {
        prefix: "/trtc",
        ...(options as CallbackOptions<FastifyRequest>),
      });
      const address = await app.listen({ port: 0, host: "127.0.0.1" });
      close = () => app.close();
      return poster((url, init) => fetch(url.replace("http://x", address), init));
    },
  ],
  [
    "fetch handler",
    "fetch",
    (options) => {
      const handler = createCallbackFetchHandler(options as CallbackOptions<Request>);
      return Promise.resolve(poster((url, init) => handler(new Request(url, init))));
    },
  ],
];

let close: (() => Promise<unknown>) | undefined;
let recorder: ReturnType<typeof record> | undefined;

afterEach(async () => {
  recorder?.stop();
  recorder = undefined;
  await close?.();
  close = undefined;
});

async function listen(listener: Listener): Promise<Post> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return poster((url, init) => fetch(url.replace("http://x", address), init));
}

/** POSTs a callback to `/trtc` as Tencent does, through `send` (which puts in the real origin for `http://x`). */
function poster(send: (url: string, init: RequestInit) => Promise<Response>): Post {
  return async (command, body, sdkAppId = SDK_APP_ID) => {
    const query = new URLSearchParams({ SdkAppid: String(sdkAppId), CallbackCommand: command });
    const response = await send(`http://x/trtc?${query.toString()}`, { method: "POST", body });
    return { status: response.status, ack: await response.json() };
  };
}

/** The events of one channel, in order. */
function eventsOf(events: Recorded[], channel: "request" | "handler"): EventName[] {
  return events.filter((event) => event.channel === channel).map((event) => event.event);
}

/** The message as the request's last event saw it. */
function lastMessage(events: Recorded[], channel: "request" | "handler"): Record<string, unknown> {
  const last = events.filter((event) => event.channel === channel).at(-1);
  if (last === undefined) throw new Error(`no ${channel} event`);
  return last.message;
}

describe.each(transports)("tracing channels on %s", (_name, adapter, start) => {
  it("an OK: one request operation and one handler operation, with the command, SdkAppid, status and ack", async () => {
    const post = await start({ sdkAppId: SDK_APP_ID, handlers: { [ENTER]: async () => {} } });
    recorder = record();
    const response = await post(ENTER, samples[ENTER]);
    expect(response.status).toBe(200);

    const { events } = recorder;
    expect(eventsOf(events, "request")).toEqual(["start", "end", "asyncStart", "asyncEnd"]);
    expect(eventsOf(events, "handler")).toEqual(["start", "end", "asyncStart", "asyncEnd"]);
    // The handler's operation ends before the request's: the ack waits for the handler.
    const handlerEnd = events.findIndex((e) => e.channel === "handler" && e.event === "asyncEnd");
    const requestEnd = events.findIndex((e) => e.channel === "request" && e.event === "asyncEnd");
    expect(handlerEnd).toBeLessThan(requestEnd);
    expect(events[0]?.message).toMatchObject({ adapter, method: "POST", status: 0, actionStatus: "" });
    expect(lastMessage(events, "request")).toMatchObject({
      adapter,
      method: "POST",
      command: ENTER,
      receivedCommand: ENTER,
      sdkAppId: String(SDK_APP_ID),
      handled: "handler",
      status: 200,
      actionStatus: "OK",
      errorCode: 0,
      error: undefined,
    });
    expect(lastMessage(events, "request")["request"]).toBeDefined();
    expect(lastMessage(events, "handler")).toEqual({
      adapter,
      command: ENTER,
      receivedCommand: ENTER,
      sdkAppId: String(SDK_APP_ID),
      outcome: "ok",
    });
  });

  it("a FAIL from a handler: the error event, the code in the ack and the handler's outcome", async () => {
    const thrown = new CallbackError("the room is full", { code: 6001 });
    const post = await start({
      sdkAppId: SDK_APP_ID,
      handlers: {
        [ENTER]: () => {
          throw thrown;
        },
      },
    });
    recorder = record();
    const response = await post(ENTER, samples[ENTER]);
    expect(response).toEqual({
      status: 200,
      ack: { ActionStatus: "FAIL", ErrorCode: 6001, ErrorInfo: "the room is full" },
    });

    const { events } = recorder;
    expect(eventsOf(events, "request")).toEqual(["start", "end", "error", "asyncStart", "asyncEnd"]);
    // A handler that throws synchronously ends its synchronous part, then its operation fails.
    expect(eventsOf(events, "handler")).toEqual(["start", "end", "error", "asyncStart", "asyncEnd"]);
    expect(lastMessage(events, "request")).toMatchObject({
      adapter,
      command: ENTER,
      sdkAppId: String(SDK_APP_ID),
      handled: "handler",
      status: 200,
      actionStatus: "FAIL",
      errorCode: 6001,
      error: thrown,
    });
    expect(lastMessage(events, "handler")).toMatchObject({ command: ENTER, outcome: "fail", error: thrown });
  });

  it("a rejection (403): the request operation only, with what was known of it", async () => {
    const post = await start({ sdkAppId: SDK_APP_ID, handlers: { [ENTER]: () => {} } });
    recorder = record();
    const response = await post(ENTER, samples[ENTER], 1400000002);
    expect(response.status).toBe(403);

    const { events } = recorder;
    expect(eventsOf(events, "request")).toEqual(["start", "end", "error", "asyncStart", "asyncEnd"]);
    expect(eventsOf(events, "handler")).toEqual([]);
    const message = lastMessage(events, "request");
    expect(message).toMatchObject({
      adapter,
      command: ENTER,
      sdkAppId: "1400000002",
      handled: "rejected",
      status: 403,
      actionStatus: "FAIL",
      errorCode: ErrorCodes.WrongSdkAppId,
    });
    expect((message["error"] as { code?: unknown }).code).toBe(ErrorCodes.WrongSdkAppId);
  });

  it("a deadline (5002): the handler's operation ends at the deadline as a timeout, before the request's", async () => {
    const post = await start({
      sdkAppId: SDK_APP_ID,
      timeoutMs: 50,
      handlers: { [ENTER]: () => new Promise(() => {}) },
    });
    recorder = record();
    const response = await post(ENTER, samples[ENTER]);
    expect(response.status).toBe(200);
    expect(response.ack).toMatchObject({ ActionStatus: "FAIL", ErrorCode: ErrorCodes.HandlerTimeout });

    const { events } = recorder;
    expect(eventsOf(events, "handler")).toEqual(["start", "end", "error", "asyncStart", "asyncEnd"]);
    expect(lastMessage(events, "handler")).toMatchObject({ command: ENTER, outcome: "timeout" });
    expect((lastMessage(events, "handler")["error"] as { code?: unknown }).code).toBe(
      ErrorCodes.HandlerTimeout,
    );
    const handlerEnd = events.findIndex((e) => e.channel === "handler" && e.event === "asyncEnd");
    const requestEnd = events.findIndex((e) => e.channel === "request" && e.event === "asyncEnd");
    expect(handlerEnd).toBeLessThan(requestEnd);
    expect(lastMessage(events, "request")).toMatchObject({
      handled: "handler",
      status: 200,
      actionStatus: "FAIL",
      errorCode: ErrorCodes.HandlerTimeout,
    });
  });

  it("an unknown command and a command without a handler: acked OK, and the message says no handler ran", async () => {
    const post = await start({ sdkAppId: SDK_APP_ID, handlers: { [ENTER]: () => {} } });
    recorder = record();
    // Another case is another command: Tencent's names are exact.
    const misspelt = "room.callbackaftermemberenter";
    expect(await post(misspelt, samples[ENTER].replace(ENTER, misspelt))).toMatchObject({ status: 200 });
    const leave = "Room.CallbackAfterMemberLeave";
    expect(await post(leave, samples[leave])).toMatchObject({ status: 200 });

    const { events } = recorder;
    expect(eventsOf(events, "handler")).toEqual([]);
    const ends = events
      .filter((e) => e.channel === "request" && e.event === "asyncEnd")
      .map((e) => e.message);
    expect(ends).toEqual([
      expect.objectContaining({
        command: undefined,
        receivedCommand: misspelt,
        handled: "unknown-command",
        actionStatus: "OK",
      }),
      expect.objectContaining({
        command: leave,
        receivedCommand: leave,
        handled: "no-handler",
        actionStatus: "OK",
      }),
    ]);
  });

  it("onUnknownCommand is a handler call: traced, with no canonical command", async () => {
    const post = await start({ sdkAppId: SDK_APP_ID, handlers: {}, onUnknownCommand: () => {} });
    recorder = record();
    await post("Room.CallbackAfterSomethingNew", '{"CallbackCommand":"Room.CallbackAfterSomethingNew"}');

    const { events } = recorder;
    expect(lastMessage(events, "handler")).toMatchObject({
      adapter,
      command: undefined,
      receivedCommand: "Room.CallbackAfterSomethingNew",
      outcome: "ok",
    });
    expect(lastMessage(events, "request")).toMatchObject({ handled: "unknown-command-handler", status: 200 });
  });

  it("a store bound to the start events is active in the handler", async () => {
    const requests = new AsyncLocalStorage<string>();
    const handlers = new AsyncLocalStorage<string>();
    const requestStart = diagnosticsChannel.channel(`tracing:${TRACE_CHANNELS.request}:start`);
    const handlerStart = diagnosticsChannel.channel(`tracing:${TRACE_CHANNELS.handler}:start`);
    requestStart.bindStore(requests, () => "the request span");
    handlerStart.bindStore(handlers, (message) => `span of ${(message as HandlerTraceMessage).command}`);
    try {
      const seen: unknown[] = [];
      const post = await start({
        sdkAppId: SDK_APP_ID,
        handlers: {
          [ENTER]: async () => {
            await new Promise((resolve) => setImmediate(resolve));
            seen.push(requests.getStore(), handlers.getStore());
          },
        },
      });
      await post(ENTER, samples[ENTER]);
      expect(seen).toEqual(["the request span", `span of ${ENTER}`]);
    } finally {
      requestStart.unbindStore(requests);
      handlerStart.unbindStore(handlers);
    }
  });
});

describe("the README's sample", () => {
  it("warns of each callback acked OK while no handler ran", async () => {
    const subscribe = jest.spyOn(diagnosticsChannel, "subscribe");
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // README: "Observability: unhandled" (begin)
      // Every callback acked OK while no handler ran: an unknown command, or a command without a handler.
      diagnosticsChannel.subscribe("tracing:trtc-room-callbacks:request:asyncEnd", (message) => {
        const { handled, receivedCommand } = message as RequestTraceMessage;
        if (handled === "unknown-command" || handled === "no-handler") {
          console.warn(`callback ${JSON.stringify(receivedCommand)} acked OK, no handler ran`);
        }
      });
      // README: "Observability: unhandled" (end)
      const post = await listen(
        createCallbackListener({ sdkAppId: SDK_APP_ID, handlers: { [ENTER]: () => {} } }),
      );
      await post(ENTER, samples[ENTER]);
      await post("Room.CallbackAfterMemberEnter\u0000", samples[ENTER].replace(ENTER, `${ENTER}\\u0000`));
      await post("Room.CallbackAfterMemberLeave", samples["Room.CallbackAfterMemberLeave"]);
      expect(warn.mock.calls).toEqual([
        ['callback "Room.CallbackAfterMemberEnter\\u0000" acked OK, no handler ran'],
        ['callback "Room.CallbackAfterMemberLeave" acked OK, no handler ran'],
      ]);
    } finally {
      for (const [name, listener] of subscribe.mock.calls) diagnosticsChannel.unsubscribe(name, listener);
      subscribe.mockRestore();
      warn.mockRestore();
    }
  });
});

describe("without diagnostics_channel", () => {
  it("createTracer gives none for a runtime without tracingChannel, or one that does not work", () => {
    expect(createTracer(undefined)).toBeUndefined();
    expect(createTracer({})).toBeUndefined();
    expect(createTracer({ tracingChannel: () => ({}) })).toBeUndefined();
    expect(
      createTracer({
        tracingChannel: () => {
          throw new Error("experimental and disabled");
        },
      }),
    ).toBeUndefined();
  });

  it("probeTracer finds diagnostics_channel through process.getBuiltinModule on this Node", () => {
    expect(probeTracer()).toBeDefined();
  });

  it("the core runs as it does with a tracer, and publishes nothing", async () => {
    recorder = record();
    const failing = new CallbackError("no", { code: 6002 });
    const config = configure({
      sdkAppId: SDK_APP_ID,
      handlers: {
        [ENTER]: () => {
          throw failing;
        },
      },
    });
    // What an isolate without diagnostics_channel gets: the fetch adapter's SHA-256 and no tracer.
    const handle = createCallbackHandle(config, {
      name: "fetch",
      sha256Hex: webSha256Hex,
      tracer: createTracer({}),
    });
    const query = new URLSearchParams({ SdkAppid: String(SDK_APP_ID), CallbackCommand: ENTER });
    const outcome = await handle(
      {
        method: "POST",
        url: `/?${query.toString()}`,
        request: {},
        readBody: () => Promise.resolve(samples[ENTER]),
      },
      (written) => written,
    );
    expect(outcome).toMatchObject({ status: 200, ack: { ActionStatus: "FAIL", ErrorCode: 6002 } });
    expect(recorder.events).toEqual([]);
  });
});

describe("without subscribers", () => {
  it("nothing is published and the router answers as usual", async () => {
    const calls: string[] = [];
    const post = await listen(
      createCallbackListener({
        sdkAppId: SDK_APP_ID,
        handlers: { [ENTER]: () => void calls.push("handled") },
      }),
    );
    expect(diagnosticsChannel.tracingChannel(TRACE_CHANNELS.request).hasSubscribers).toBe(false);
    expect(await post(ENTER, samples[ENTER])).toMatchObject({
      status: 200,
      ack: { ActionStatus: "OK" },
    });
    expect(calls).toEqual(["handled"]);
  });
});
