import type express from "express";
import { connect } from "node:net";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  CallbackError,
  ConfigurationError,
  createCallbackRouter,
  ErrorCodes,
  type CallbackFailureInfo,
  type CallbackRouterOptions,
  type TrtcCallbackError,
} from "../lib";
import { log } from "../lib/core/log";
import { createCallbackTester } from "../lib/testing";
import { samples } from "./helpers/fixtures";
import { ackOf, parseRaw, send, serve, type Served } from "./helpers/raw-client";
import { createApp, SDK_APP_ID, tencentQuery } from "./helpers/server";

/**
 * Issue 9's core items: the deadline against synchronous work, bounded early
 * rejections, any thrown value, an ack decided before onError, rawBody that
 * pins nothing, repeated SdkAppid, requireToken, 5002 before 5003, the 4033
 * message and the trace's full URL.
 */
const memberEnter = "Room.CallbackAfterMemberEnter";
const path = `/trtc?${tencentQuery(memberEnter)}`;

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Blocks the event loop, as a synchronous handler or a huge validation would.
  }
}

function sink() {
  const calls: [TrtcCallbackError, CallbackFailureInfo<unknown>][] = [];
  const onError = (error: TrtcCallbackError, info: CallbackFailureInfo<unknown>) => {
    calls.push([error, info]);
  };
  return { calls, onError };
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(
  options: Partial<CallbackRouterOptions<express.Request>>,
  before?: express.RequestHandler,
) {
  served = await serve(createApp(options, before));
  return served.port;
}

describe("the deadline holds against synchronous work", () => {
  it("a synchronous handler that blocks past timeoutMs gets FAIL 5002, reported, with its signal aborted", async () => {
    const { calls, onError } = sink();
    let signal: AbortSignal | undefined;
    const port = await start({
      timeoutMs: 40,
      onError,
      handlers: {
        [memberEnter]: (_event, context) => {
          signal = context.signal;
          busy(120);
        },
      },
    });
    const res = await send(port, { path, body: samples[memberEnter] });
    expect(res.status).toBe(200);
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.HandlerTimeout);
    expect(calls.map(([error]) => error.code)).toEqual([ErrorCodes.HandlerTimeout]);
    expect(signal?.aborted).toBe(true);
  });

  it("an async handler whose synchronous part blocks past timeoutMs is FAIL 5002 too", async () => {
    const { calls, onError } = sink();
    const port = await start({
      timeoutMs: 40,
      onError,
      handlers: { [memberEnter]: async () => busy(120) },
    });
    const res = await send(port, { path, body: samples[memberEnter] });
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.HandlerTimeout);
    expect(calls[0]?.[0].code).toBe(ErrorCodes.HandlerTimeout);
  });

  it("does not call the handler when reading the body blocked past the deadline", async () => {
    const handler = jest.fn();
    const { calls, onError } = sink();
    // A body parser that ran first and left a body whose reading blocks: the clock runs out before the handler.
    const slowBody: express.RequestHandler = (req, _res, next) => {
      req.resume();
      req.on("end", () => {
        (req as { _body?: boolean })._body = true;
        req.body = {
          RoomId: "r1",
          get MemberList_Account() {
            busy(120);
            return ["alice"];
          },
        };
        next();
      });
    };
    const port = await start({ timeoutMs: 40, onError, handlers: { [memberEnter]: handler } }, slowBody);
    const res = await send(port, { path, body: samples[memberEnter] });
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.HandlerTimeout);
    expect(handler).not.toHaveBeenCalled();
    expect(calls.map(([error]) => error.code)).toEqual([ErrorCodes.HandlerTimeout]);
  });

  it("reports 5002 before the 5003 of a handler that settles on its signal's abort", async () => {
    const { calls, onError } = sink();
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      timeoutMs: 20,
      onError,
      handlers: {
        [memberEnter]: (_event, context) =>
          new Promise((_resolve, reject) =>
            context.signal.addEventListener("abort", () => reject(new Error("aborted"))),
          ),
      },
    });
    const result = await tester.send(memberEnter);
    await result.settled;
    expect(result.ack.ErrorCode).toBe(ErrorCodes.HandlerTimeout);
    expect(calls.map(([error]) => error.code)).toEqual([
      ErrorCodes.HandlerTimeout,
      ErrorCodes.LateSettlement,
    ]);
  });
});

describe("an answer written before the body is read closes the connection", () => {
  /** Streams a body that never ends; resolves with the status and how much the server took before closing. */
  function streamUntilClosed(port: number, requestPath: string, method = "POST") {
    return new Promise<{ status: number; connection: string | undefined; written: number; closed: boolean }>(
      (resolve) => {
        const socket = connect(port, "127.0.0.1");
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const maximum = 256 * 1024 * 1024;
        let written = 0;
        let received = "";
        let finished = false;
        const finish = (closed: boolean) => {
          if (finished) return;
          finished = true;
          socket.destroy();
          const res = parseRaw(received);
          resolve({
            status: res.status,
            connection: res.headers["connection"] as string | undefined,
            written,
            closed,
          });
        };
        socket.setEncoding("utf8");
        socket.on("data", (data: string) => (received += data));
        socket.on("close", () => finish(true));
        socket.on("error", () => finish(true));
        const pump = () => {
          while (!finished && written < maximum) {
            written += chunk.length;
            if (!socket.write(chunk)) return void socket.once("drain", pump);
          }
          if (written >= maximum) finish(false);
        };
        socket.write(
          `${method} ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${1024 * 1024 * 1024}\r\n\r\n`,
          pump,
        );
      },
    );
  }

  it.each([
    ["403 for another app", `/trtc?${tencentQuery(memberEnter, { SdkAppid: "1400000002" })}`, "POST", 403],
    ["401 for a missing signature", path, "POST", 401],
    ["405 for another method", path, "PUT", 405],
  ])(
    "%s: Connection: close, and the server stops reading long before the body ends",
    async (_name, target, method, status) => {
      const port = await start({ token: "secret-token", handlers: { [memberEnter]: jest.fn() } });
      const result = await streamUntilClosed(port, target, method);
      expect(result.status).toBe(status);
      expect(result.connection).toBe("close");
      expect(result.closed).toBe(true);
      // Kept alive, Node would drain all 256 MiB the client offers.
      expect(result.written).toBeLessThan(64 * 1024 * 1024);
    },
  );
});

describe("whatever a handler throws is a handler failure", () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  it.each([
    ["rejects with a revoked Proxy", () => Promise.reject(revoked())],
    [
      "throws a revoked Proxy synchronously",
      () => {
        throw revoked();
      },
    ],
    ["returns a revoked Proxy", () => revoked()],
  ])("a handler that %s gets 200 FAIL 5000, reported, and nothing escapes", async (_name, handler) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { calls, onError } = sink();
      const port = await start({ onError, handlers: { [memberEnter]: handler } });
      const res = await send(port, { path, body: samples[memberEnter] });
      expect(res.status).toBe(200);
      expect(ackOf(res)).toEqual({
        ActionStatus: "FAIL",
        ErrorCode: ErrorCodes.HandlerFailed,
        ErrorInfo: "the callback handler failed",
      });
      expect(calls.map(([error]) => error.code)).toEqual([ErrorCodes.HandlerFailed]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("onError cannot change the ack", () => {
  it("the ack is what the handler's error said, whatever onError does to the error", async () => {
    const port = await start({
      onError: (error) => {
        const writable = error as unknown as { message: string; code: number };
        writable.message += " (internal details: db-host-7, user alice)";
        writable.code = 0;
      },
      handlers: {
        [memberEnter]: () => {
          throw new CallbackError("seat sync failed", { code: 4321 });
        },
      },
    });
    const res = await send(port, { path, body: samples[memberEnter] });
    expect(ackOf(res)).toEqual({ ActionStatus: "FAIL", ErrorCode: 4321, ErrorInfo: "seat sync failed" });
  });

  it("onError receives the thrown CallbackError itself, unchanged, with the request beside it", async () => {
    const thrown = Object.freeze(new CallbackError("busy", { code: 4300 }));
    const { calls, onError } = sink();
    const port = await start({ onError, handlers: { [memberEnter]: () => Promise.reject(thrown) } });
    await send(port, { path, body: samples[memberEnter] });
    expect(calls[0]?.[0]).toBe(thrown);
    expect(calls[0]?.[1].rawBody).toBe(samples[memberEnter]);
    expect(calls[0]?.[1].command).toBe(memberEnter);
    expect(Object.keys(thrown)).not.toContain("rawBody");
  });
});

describe("rawBody costs at most rawBodyCap characters of memory", () => {
  it("40 kept reports of 1 MiB bodies with rawBodyCap 1024 hold kilobytes, not the bodies", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const kept: CallbackFailureInfo<unknown>[] = [];
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      rawBodyCap: 1024,
      onError: (_error, info) => void kept.push(info),
      handlers: {
        [memberEnter]: () => {
          throw new Error("database down");
        },
      },
    });
    gc();
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < 40; i++) {
      // A distinct 1 MiB string each time, so nothing is shared between reports.
      const body = JSON.stringify({ RoomId: `room-${i}`, Pad: `${i}`.padEnd(1024 * 1024, "x") });
      await tester.post(body);
    }
    gc();
    const grown = getHeapStatistics().used_heap_size - before;
    expect(kept).toHaveLength(40);
    expect(kept.every((info) => info.rawBody?.length === 1024)).toBe(true);
    // 40 pinned bodies would be 40 MiB; 40 copies of 1024 characters are 40 KiB.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("the query's SdkAppid", () => {
  it("SdkAppid=&SdkAppid=<yours> is a repeated SdkAppid (4032)", async () => {
    const port = await start({ handlers: {} });
    const query = tencentQuery(memberEnter).replace(
      `SdkAppid=${SDK_APP_ID}`,
      `SdkAppid=&SdkAppid=${SDK_APP_ID}`,
    );
    const res = await send(port, { path: `/trtc?${query}`, body: samples[memberEnter] });
    expect(res.status).toBe(403);
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.RepeatedSdkAppId);
  });

  it.each([
    ["another app's", "1400000002", "SdkAppid 1400000002 is not this app's"],
    ["markup", "14000<script>00002", "SdkAppid 1400000002 is not this app's"],
    ["5000 digits", "9".repeat(5000), `SdkAppid ${"9".repeat(20)}… is not this app's`],
    ["no digits", "abc", "SdkAppid (no digits) is not this app's"],
  ])("4033 names the SdkAppid received, digits only and capped: %s", async (_name, received, prefix) => {
    const port = await start({ handlers: {} });
    const query = tencentQuery(memberEnter, { SdkAppid: received });
    const res = await send(port, { path: `/trtc?${query}`, body: samples[memberEnter] });
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.WrongSdkAppId);
    expect(ackOf(res).ErrorInfo.startsWith(prefix)).toBe(true);
  });
});

describe("a token can be required", () => {
  it.each([
    ["missing", undefined],
    ["an unset environment variable", process.env["TRTC_UNSET_VARIABLE_FOR_TESTS"]],
  ])("requireToken with the token %s throws a ConfigurationError that says what to set", (_name, token) => {
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, requireToken: true, token }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, requireToken: true, token }),
    ).toThrow(/TRTC_CALLBACK_TOKEN/);
  });

  it("requireToken with an empty token is refused too, and with a real one the router starts", () => {
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, requireToken: true, token: "" }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, requireToken: "yes" as unknown as boolean }),
    ).toThrow(/requireToken must be true or false/);
    expect(
      typeof createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, requireToken: true, token: "t" }),
    ).toBe("function");
  });

  it("a request that carries Sign while no token is configured is traced once", async () => {
    const lines: string[] = [];
    const { enabled, log: write } = log.error;
    log.error.enabled = true;
    log.error.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
      const port = await start({ handlers: {} });
      const signed = `/trtc?${tencentQuery(memberEnter, { Sign: "a".repeat(64), RequestTime: "1700000000" })}`;
      for (let i = 0; i < 3; i++)
        expect((await send(port, { path: signed, body: samples[memberEnter] })).status).toBe(200);
    } finally {
      log.error.enabled = enabled;
      log.error.log = write;
    }
    expect(lines.filter((line) => line.includes("signatures are NOT checked"))).toHaveLength(1);
  });
});

describe("traces", () => {
  it("DEBUG traces show the full URL, mount path included", async () => {
    const lines: string[] = [];
    const { enabled, log: write } = log.request;
    log.request.enabled = true;
    log.request.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
      const port = await start({ handlers: {} });
      await send(port, { path, body: samples[memberEnter] });
    } finally {
      log.request.enabled = enabled;
      log.request.log = write;
    }
    expect(lines.some((line) => line.includes(`POST /trtc?SdkAppid=${SDK_APP_ID}`))).toBe(true);
  });
});
