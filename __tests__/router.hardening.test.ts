import type express from "express";
import {
  CallbackError,
  ErrorCodes,
  HandlerError,
  HandlerTimeoutError,
  InvalidEventError,
  RequestAbortedError,
  RequestRejectedError,
  type CallbackRouterOptions,
  type TrtcCallbackError,
} from "../lib";
import { samples } from "./helpers/fixtures";
import {
  ackOf,
  openAndWrite,
  parseRaw,
  requestHead,
  send,
  serve,
  stall,
  type Served,
} from "./helpers/raw-client";
import { createApp, OK_ACK, tencentQuery } from "./helpers/server";

const memberEnter = "Room.CallbackAfterMemberEnter";
const path = `/trtc?${tencentQuery(memberEnter)}`;

/** A router app plus what reached the app's own error handler (it never should). */
function appWith(options: Partial<CallbackRouterOptions<express.Request>>, before?: express.RequestHandler) {
  const appErrors: unknown[] = [];
  const app = createApp(options, before);
  // Express recognises an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    appErrors.push(error);
    res.status(599).end();
  });
  return { app, appErrors };
}

/** An onError mock with a promise for its n-th call. */
function errorSink() {
  const calls: [TrtcCallbackError, Record<string, unknown>][] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const onError = jest.fn((error: TrtcCallbackError, info: unknown) => {
    calls.push([error, info as Record<string, unknown>]);
    for (const waiter of waiters) if (calls.length >= waiter.count) waiter.resolve();
  });
  const reported = (count = 1) =>
    calls.length >= count
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { onError, calls, reported };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(app: express.Express): Promise<number> {
  served = await serve(app);
  return served.port;
}

describe("stalled and slow bodies", () => {
  it.each([
    ["with Content-Length, part of the body sent", { "Content-Length": 200 }, '{"RoomId":"r1","Memb'],
    ["chunked, part of the body sent", { "Transfer-Encoding": "chunked" }, '14\r\n{"RoomId":"r1","Memb\r\n'],
    ["with Content-Length, no body byte sent", { "Content-Length": 200 }, ""],
  ])("answers a body that stalls (%s) with 408 and closes the connection", async (_, headers, partial) => {
    const handler = jest.fn();
    const { onError, calls } = errorSink();
    const { app, appErrors } = appWith({ timeoutMs: 100, onError, handlers: { [memberEnter]: handler } });
    const port = await start(app);
    const result = await stall(port, requestHead(path, headers) + partial, 4000);
    expect(result.closedByServer).toBe(true);
    const res = parseRaw(result.received);
    expect(res.status).toBe(408);
    expect(res.headers["connection"]).toBe("close");
    expect(ackOf(res)).toEqual({
      ActionStatus: "FAIL",
      ErrorCode: ErrorCodes.BodyTimeout,
      ErrorInfo: "the body did not arrive within 100 ms",
    });
    expect(handler).not.toHaveBeenCalled();
    expect(appErrors).toEqual([]);
    expect(calls).toHaveLength(1);
    const [error, info] = calls[0]!;
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error.code).toBe(ErrorCodes.BodyTimeout);
    expect(info["command"]).toBe(memberEnter);
    expect(info["receivedCommand"]).toBe(memberEnter);
    // What did arrive is kept, so the event is not lost without a trace.
    expect(info["rawBody"]).toBe(partial === "" ? "" : '{"RoomId":"r1","Memb');
  });

  it("caps the partial body of a stalled request at rawBodyCap in the report", async () => {
    const { onError, calls } = errorSink();
    const { app } = appWith({
      timeoutMs: 100,
      rawBodyCap: 10,
      onError,
      handlers: { [memberEnter]: jest.fn() },
    });
    const port = await start(app);
    const partial = `{"RoomId":"r1","Pad":"${"x".repeat(3000)}`;
    const result = await stall(port, requestHead(path, { "Content-Length": 5000 }) + partial, 4000);
    expect(parseRaw(result.received).status).toBe(408);
    expect(calls[0]![1]["rawBody"]).toBe(partial.slice(0, 10));
  });

  it("answers 50 connections stalled at once, each with 408", async () => {
    const { app } = appWith({ timeoutMs: 100, handlers: { [memberEnter]: jest.fn() } });
    const port = await start(app);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        stall(port, `${requestHead(path, { "Content-Length": 100 })}{"Ro`, 4000),
      ),
    );
    expect(results.map((result) => [result.closedByServer, parseRaw(result.received).status])).toEqual(
      Array.from({ length: 50 }, () => [true, 408]),
    );
  });

  it("answers a chunked body that outgrows the limit with 413 and closes the connection", async () => {
    const handler = jest.fn();
    const { onError, calls } = errorSink();
    const { app } = appWith({ limit: 1000, onError, handlers: { [memberEnter]: handler } });
    const port = await start(app);
    const chunk = `{"RoomId":"r","Pad":"${"x".repeat(1500)}`;
    const head = requestHead(path, { "Transfer-Encoding": "chunked" });
    // The rest of the body never comes: the answer must not wait for it.
    const result = await stall(port, `${head}${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`, 4000);
    expect(result.closedByServer).toBe(true);
    const res = parseRaw(result.received);
    expect(res.status).toBe(413);
    expect(ackOf(res).ErrorCode).toBe(ErrorCodes.PayloadTooLarge);
    expect(handler).not.toHaveBeenCalled();
    expect(calls.map(([error]) => error.code)).toEqual([ErrorCodes.PayloadTooLarge]);
  });

  it("bounds the whole body, not the silence between bytes: a slow drip gets 408 too", async () => {
    const handler = jest.fn();
    const { app } = appWith({ timeoutMs: 150, handlers: { [memberEnter]: handler } });
    const port = await start(app);
    const socket = await openAndWrite(port, requestHead(path, { "Content-Length": 1000 }));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => undefined);
    const drip = setInterval(() => socket.writable && socket.write("x"), 20);
    await closed;
    clearInterval(drip);
    expect(parseRaw(received).status).toBe(408);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("a client that disconnects mid-body", () => {
  it("is reported as RequestAbortedError 4990, with no handler call, no app error and no timer left", async () => {
    const setSpy = jest.spyOn(global, "setTimeout");
    const clearSpy = jest.spyOn(global, "clearTimeout");
    try {
      const handler = jest.fn();
      const { onError, calls, reported } = errorSink();
      // A distinctive timeout picks the router's timer out of the others.
      const timeoutMs = 4321;
      const { app, appErrors } = appWith({ timeoutMs, onError, handlers: { [memberEnter]: handler } });
      const port = await start(app);
      const socket = await openAndWrite(
        port,
        `${requestHead(path, { "Content-Length": 500 })}{"RoomId":"r1","MemberList_Account":["u`,
      );
      await tick(20);
      socket.destroy();
      await reported(1);
      await tick(20);

      expect(handler).not.toHaveBeenCalled();
      expect(appErrors).toEqual([]);
      expect(calls).toHaveLength(1);
      const [error, info] = calls[0]!;
      expect(error).toBeInstanceOf(RequestAbortedError);
      expect(error.code).toBe(ErrorCodes.RequestAborted);
      expect(info["command"]).toBe(memberEnter);
      expect(info["rawBody"]).toBe('{"RoomId":"r1","MemberList_Account":["u');

      const timers = setSpy.mock.calls
        .map((call, i) => [call[1], setSpy.mock.results[i]?.value] as const)
        .filter(([ms]) => ms === timeoutMs)
        .map(([, timer]) => timer as unknown);
      expect(timers).toHaveLength(1);
      expect(clearSpy.mock.calls.map(([timer]) => timer as unknown)).toContain(timers[0]);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it("is reported at once, not at the deadline, when it went away before the router started reading", async () => {
    const handler = jest.fn();
    const { onError, calls, reported } = errorSink();
    let gone: (() => void) | undefined;
    const disconnected = new Promise<void>((resolve) => (gone = resolve));
    // An earlier middleware still busy when the client gives up.
    const slowMiddleware: express.RequestHandler = (req, _res, next) => {
      req.once("close", () => setImmediate(next));
      gone?.();
    };
    const { app, appErrors } = appWith(
      { timeoutMs: 60_000, onError, handlers: { [memberEnter]: handler } },
      slowMiddleware,
    );
    const port = await start(app);
    const socket = await openAndWrite(port, `${requestHead(path, { "Content-Length": 500 })}{"RoomId"`);
    await disconnected;
    socket.destroy();
    await reported(1);
    expect(calls[0]![0].code).toBe(ErrorCodes.RequestAborted);
    expect(handler).not.toHaveBeenCalled();
    expect(appErrors).toEqual([]);
  });
});

describe("timers", () => {
  it("clears the request's timer on every path: OK, rejected, invalid, failed, timed out, stalled", async () => {
    const setSpy = jest.spyOn(global, "setTimeout");
    const clearSpy = jest.spyOn(global, "clearTimeout");
    try {
      const timeoutMs = 321;
      const { app } = appWith({
        timeoutMs,
        handlers: {
          [memberEnter]: (event) => {
            if (event.RoomId === "throw") throw new Error("x");
            if (event.RoomId === "hang") return new Promise(() => undefined);
          },
        },
      });
      const port = await start(app);
      const bodies = [
        '{"RoomId":"ok"}',
        '{"RoomId":"throw"}',
        '{"RoomId":"hang"}',
        "{oops",
        '{"RoomId":1.5}',
      ];
      const statuses = [];
      for (const body of bodies) statuses.push((await send(port, { path, body })).status);
      statuses.push(
        (await send(port, { path: `/trtc?${tencentQuery(memberEnter, { SdkAppid: "1" })}` })).status,
      );
      statuses.push((await send(port, { method: "GET", path })).status);
      const stalled = await stall(port, `${requestHead(path, { "Content-Length": 50 })}{"Ro`, 4000);
      statuses.push(parseRaw(stalled.received).status);
      expect(statuses).toEqual([200, 200, 200, 400, 400, 403, 405, 408]);

      const timers = setSpy.mock.calls
        .map((call, i) => [call[1], setSpy.mock.results[i]?.value] as const)
        .filter(([ms]) => ms === timeoutMs)
        .map(([, timer]) => timer as unknown);
      expect(timers).toHaveLength(statuses.length);
      const cleared = new Set(clearSpy.mock.calls.map(([timer]) => timer as unknown));
      expect(timers.filter((timer) => !cleared.has(timer))).toEqual([]);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });
});

/** Bodies within the default 1 MiB limit that a parser may choke on. */
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const manyKeys = (count: number) =>
  `{"RoomId":"r",${Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(",")}}`;
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));

type Expectation =
  | { ok: true; check?: (event: Record<string, unknown>) => void }
  | { ok: false; status: number; code: number };

const pathological: [string, string | Buffer, Expectation][] = [
  ["100,000 nested arrays in an unknown field", `{"RoomId":"r","Deep":${deepArray(100_000)}}`, { ok: true }],
  [
    "100,000 nested objects in an unknown field",
    `{"RoomId":"r","Deep":${deepObject(100_000)}}`,
    { ok: true },
  ],
  [
    "100,000 nested objects inside RoomInfo",
    `{"RoomInfo":{"RoomId":"r","Deep":${deepObject(100_000)}}}`,
    { ok: true },
  ],
  [
    "100,000 nested arrays with __proto__ keys inside",
    `{"RoomId":"r","Deep":${"[".repeat(50_000)}{"__proto__":{"polluted":1}}${"]".repeat(50_000)}}`,
    { ok: true },
  ],
  [
    "100,000 nested arrays as the whole body",
    deepArray(100_000),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "100,000 nested arrays in a validated field",
    `{"RoomId":"r","MemberList_Account":${deepArray(100_000)}}`,
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  [
    "100,000 unclosed brackets",
    `{"RoomId":"r","Deep":${"[".repeat(100_000)}`,
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a 900 kB string",
    `{"RoomId":"r","Note":"${"x".repeat(900_000)}"}`,
    { ok: true, check: (event) => expect((event["Note"] as string).length).toBe(900_000) },
  ],
  [
    "a 900 kB string of escapes",
    `{"RoomId":"r","Note":"${"\\u00e9".repeat(150_000)}"}`,
    { ok: true, check: (event) => expect(event["Note"]).toBe("é".repeat(150_000)) },
  ],
  [
    "a 900 kB string where a number is expected",
    `{"RoomId":"r","MemberCount":"${"9".repeat(900_000)}"}`,
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  [
    "a 900,000-digit bare number",
    `{"RoomId":"r","Big":${"9".repeat(900_000)}}`,
    { ok: true, check: (event) => expect(event["Big"]).toBe("9".repeat(900_000)) },
  ],
  ["50,000 keys", manyKeys(50_000), { ok: true, check: (event) => expect(event["k49999"]).toBe(49_999) }],
  [
    "10,000 list entries (the bound)",
    `{"RoomId":"r","MemberList_Account":[${Array.from({ length: 10_000 }, (_, i) => `"u${i}"`).join(",")}]}`,
    { ok: true, check: (event) => expect((event["MemberList_Account"] as string[])[9_999]).toBe("u9999") },
  ],
  [
    "50,000 list entries (beyond the bound)",
    `{"RoomId":"r","MemberList_Account":[${Array.from({ length: 50_000 }, (_, i) => `"u${i}"`).join(",")}]}`,
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  [
    "a 0xFF byte",
    bytes('{"RoomId":"r', [0xff], '"}'),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a truncated two-byte sequence",
    bytes('{"RoomId":"r', [0xc3], '"}'),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "an overlong encoding of '/'",
    bytes('{"RoomId":"r', [0xc0, 0xaf], '"}'),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a UTF-8-encoded surrogate (CESU)",
    bytes('{"RoomId":"r', [0xed, 0xa0, 0x80], '"}'),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a multi-byte sequence cut at the end of the body",
    bytes('{"RoomId":"r"}', [0xe2, 0x82]),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a lone surrogate escape in a value",
    '{"RoomId":"r\\ud800"}',
    { ok: true, check: (event) => expect(event["RoomId"]).toBe("r\ud800") },
  ],
  ["a lone surrogate escape in a key", '{"RoomId":"r","\\udc00":1}', { ok: true }],
  [
    "a lone surrogate in a mismatching CallbackCommand",
    '{"CallbackCommand":"Room.\\ud800","RoomId":"r"}',
    { ok: false, status: 400, code: ErrorCodes.CommandMismatch },
  ],
  [
    "1e999 in an unknown field",
    '{"RoomId":"r","Huge":1e999}',
    { ok: true, check: (event) => expect(event["Huge"]).toBe(Infinity) },
  ],
  [
    "1e999 as EventTime",
    '{"RoomId":"r","EventTime":1e999}',
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  [
    "-1e999 as MemberCount",
    '{"RoomId":"r","MemberCount":-1e999}',
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  ["-0 as EventTime", '{"RoomId":"r","EventTime":-0}', { ok: true }],
  // Handing on "0" would alter the ID: refused, as a fraction or an exponent is.
  [
    "-0 as a user ID",
    '{"RoomId":"r","MemberList_Account":[-0]}',
    { ok: false, status: 400, code: ErrorCodes.InvalidEvent },
  ],
  [
    "duplicate keys (the last wins)",
    '{"RoomId":"first","RoomId":"last","MemberCount":1,"MemberCount":2}',
    { ok: true, check: (event) => expect(event).toMatchObject({ RoomId: "last", MemberCount: 2 }) },
  ],
  [
    "a duplicate CallbackCommand whose last value mismatches",
    `{"CallbackCommand":"${memberEnter}","CallbackCommand":"Room.CallbackAfterMemberLeave","RoomId":"r"}`,
    { ok: false, status: 400, code: ErrorCodes.CommandMismatch },
  ],
  [
    "a 16-digit integer as a key (not JSON)",
    '{"RoomId":"r",1234567890123456789:1}',
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a 16-digit integer with a leading zero (not JSON)",
    '{"RoomId":"r","Big":01234567890123456789}',
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a raw control character in a string",
    '{"RoomId":"r\u0001"}',
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  [
    "a NUL byte after the object",
    bytes('{"RoomId":"r"}', [0]),
    { ok: false, status: 400, code: ErrorCodes.InvalidJson },
  ],
  ["trailing garbage", '{"RoomId":"r"} {}', { ok: false, status: 400, code: ErrorCodes.InvalidJson }],
  ["whitespace only", " \r\n\t ", { ok: false, status: 400, code: ErrorCodes.InvalidJson }],
  ["a byte-order mark before the object", "\ufeff" + '{"RoomId":"r"}', { ok: true }],
];

describe("pathological JSON within the size limit", () => {
  let shared: Served | undefined;
  let port: number;
  let received: Record<string, unknown>[] = [];
  const { onError, calls } = errorSink();

  beforeAll(async () => {
    const { app } = appWith({
      timeoutMs: 10_000,
      onError,
      handlers: {
        [memberEnter]: (event) => void received.push(event as unknown as Record<string, unknown>),
        "Room.CallbackAfterCreateRoom": (event) =>
          void received.push(event as unknown as Record<string, unknown>),
      },
    });
    shared = await serve(app);
    port = shared.port;
  });
  beforeEach(() => {
    received = [];
    calls.length = 0;
  });
  afterEach(() => {
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it.each(pathological)("%s: well-formed ack with the documented status", async (_, body, expected) => {
    const query = body.includes("RoomInfo")
      ? tencentQuery("Room.CallbackAfterCreateRoom")
      : tencentQuery(memberEnter);
    const res = await send(port, { path: `/trtc?${query}`, body });
    const ack = ackOf(res);
    expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.text));
    if (expected.ok) {
      expect({ status: res.status, ack }).toEqual({ status: 200, ack: OK_ACK });
      expect(received).toHaveLength(1);
      expected.check?.(received[0]!);
      expect(calls).toHaveLength(0);
    } else {
      expect({ status: res.status, code: ack.ErrorCode }).toEqual({
        status: expected.status,
        code: expected.code,
      });
      expect(ack.ActionStatus).toBe("FAIL");
      expect(ack.ErrorInfo.length).toBeLessThan(500);
      expect(received).toHaveLength(0);
      expect(calls).toHaveLength(1);
      expect(calls[0]![0]).toBeInstanceOf(InvalidEventError);
      expect(calls[0]![0].code).toBe(expected.code);
    }
  });

  it("caps a huge CallbackCommand echoed in ErrorInfo", async () => {
    const res = await send(port, {
      path,
      body: `{"CallbackCommand":"${"R".repeat(900_000)}","RoomId":"r"}`,
    });
    expect(res.status).toBe(400);
    const ack = ackOf(res);
    expect(ack.ErrorCode).toBe(ErrorCodes.CommandMismatch);
    expect(ack.ErrorInfo.length).toBeLessThan(500);
  });

  afterAll(async () => {
    await shared?.close();
  });
});

describe("misbehaving handlers", () => {
  /** Posts the member-enter sample to an app whose handler is `handler`; returns the response and what was reported. */
  async function run(
    handler: (event: unknown, context: { request: express.Request; signal: AbortSignal }) => unknown,
    options: Partial<CallbackRouterOptions<express.Request>> = {},
  ) {
    const sink = errorSink();
    // Generous unless a test is about the deadline: a busy machine must not turn an OK into a 5002.
    const { app, appErrors } = appWith({
      timeoutMs: 2000,
      onError: sink.onError,
      ...options,
      handlers: { [memberEnter]: handler as never },
    });
    const port = await start(app);
    const res = await send(port, { path, body: samples[memberEnter] });
    return { res, appErrors, ...sink };
  }

  const failAck = (code: number) => ({
    ActionStatus: "FAIL",
    ErrorCode: code,
    ErrorInfo: expect.any(String),
  });

  it("rejects after the deadline: one FAIL 5002 ack, the late rejection only reported", async () => {
    const { res, calls, reported, appErrors } = await run(
      () => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 100)),
      { timeoutMs: 50 },
    );
    expect(res.status).toBe(200);
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerTimeout));
    await reported(2);
    expect(calls.map(([error]) => error.code)).toEqual([
      ErrorCodes.HandlerTimeout,
      ErrorCodes.LateSettlement,
    ]);
    expect(calls[1]![0]).toBeInstanceOf(HandlerTimeoutError);
    expect(appErrors).toEqual([]);
  });

  it("blocks past the deadline and then throws: one FAIL 5000 ack", async () => {
    const { res, calls } = await run(
      () => {
        const until = Date.now() + 80;
        while (Date.now() < until);
        throw new Error("after blocking");
      },
      { timeoutMs: 50 },
    );
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerFailed));
    expect(calls).toHaveLength(1);
  });

  it("returns a thenable that fulfils twice and then rejects: one OK ack, nothing reported", async () => {
    const { res, calls } = await run(() => ({
      then(fulfil: (value?: unknown) => void, reject: (error: unknown) => void) {
        fulfil();
        fulfil();
        reject(new Error("third call"));
        throw new Error("then throws after calling back");
      },
    }));
    expect(ackOf(res)).toEqual(OK_ACK);
    expect(calls).toHaveLength(0);
  });

  it("returns a thenable that rejects and then fulfils: one FAIL 5000 ack", async () => {
    const { res, calls } = await run(() => ({
      then(fulfil: () => void, reject: (error: unknown) => void) {
        setImmediate(() => {
          reject(new Error("first"));
          fulfil();
        });
      },
    }));
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerFailed));
    expect(calls).toHaveLength(1);
  });

  it("returns a thenable that calls back twice after the deadline: one FAIL 5002 ack, one late report", async () => {
    let done: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const { res, calls } = await run(
      () => ({
        then(fulfil: () => void, reject: (error: unknown) => void) {
          setTimeout(() => {
            fulfil();
            reject(new Error("again"));
            fulfil();
            done?.();
          }, 100);
        },
      }),
      { timeoutMs: 50 },
    );
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerTimeout));
    await finished;
    await tick(10);
    expect(calls.map(([error]) => error.code)).toEqual([
      ErrorCodes.HandlerTimeout,
      ErrorCodes.LateSettlement,
    ]);
  });

  it("returns an object whose `then` getter throws: FAIL 5000 with status 200, not a 500", async () => {
    const { res, calls } = await run(() => ({
      get then() {
        throw new Error("getter");
      },
    }));
    expect(res.status).toBe(200);
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerFailed));
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBeInstanceOf(HandlerError);
    expect((calls[0]![0].cause as Error).message).toBe("getter");
  });

  it("answers the request itself: its response is the only one", async () => {
    const { res, appErrors } = await run((_, context) => {
      context.request.res?.status(202).json({ mine: true });
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({ mine: true });
    expect(appErrors).toEqual([]);
  });

  it("starts a response and leaves it open: the router ends it rather than leave Tencent waiting", async () => {
    const { res } = await run((_, context) => {
      context.request.res?.write("partial");
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe("partial");
  });

  it("sets an invalid status message: the ack is still sent, no unhandled rejection", async () => {
    const { res } = await run((_, context) => {
      if (context.request.res) context.request.res.statusMessage = "bad\nmessage";
    });
    expect(res.status).toBe(200);
    expect(ackOf(res)).toEqual(OK_ACK);
  });

  it("breaks res.end: the connection is dropped and nothing escapes into the process", async () => {
    const { app, appErrors } = appWith({
      handlers: {
        [memberEnter]: (_event, context) => {
          const res = context.request.res;
          if (res) {
            res.end = () => {
              throw new Error("broken end");
            };
          }
        },
      },
    });
    const port = await start(app);
    await expect(send(port, { path, body: samples[memberEnter] })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    await tick(20);
    expect(appErrors).toEqual([]);
  });

  it("sets its own headers: the ack keeps its Content-Type and Content-Length", async () => {
    const { res } = await run((_, context) => {
      context.request.res?.setHeader("Content-Type", "text/html");
      context.request.res?.setHeader("Content-Length", "1");
      context.request.res?.setHeader("X-Handler", "yes");
    });
    expect(ackOf(res)).toEqual(OK_ACK);
    expect(res.headers["x-handler"]).toBe("yes");
  });

  it("destroys the socket: no app error, no throw", async () => {
    const sink = errorSink();
    const { app, appErrors } = appWith({
      onError: sink.onError,
      handlers: { [memberEnter]: (_event, context) => void context.request.socket.destroy() },
    });
    const port = await start(app);
    await expect(send(port, { path, body: samples[memberEnter] })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    await tick(20);
    expect(appErrors).toEqual([]);
  });

  it("has an onError that throws, rejects or returns a hostile thenable: the ack is unchanged", async () => {
    for (const onError of [
      () => {
        throw new Error("onError threw");
      },
      async () => Promise.reject(new Error("onError rejected")),
      () => ({
        get then() {
          throw new Error("then getter");
        },
      }),
      () => ({
        then() {
          throw new Error("then threw");
        },
      }),
    ]) {
      const { res, appErrors } = await run(
        () => {
          throw new CallbackError("nope", { code: 42 });
        },
        { onError },
      );
      expect(ackOf(res)).toEqual({ ActionStatus: "FAIL", ErrorCode: 42, ErrorInfo: "nope" });
      expect(appErrors).toEqual([]);
      await served?.close();
      served = undefined;
    }
  });

  it("has an onError that throws on a late settlement: nothing escapes", async () => {
    let lateReported: (() => void) | undefined;
    const late = new Promise<void>((resolve) => (lateReported = resolve));
    const { res } = await run(() => new Promise((resolve) => setTimeout(resolve, 100)), {
      timeoutMs: 50,
      onError: (error) => {
        if (error.code === ErrorCodes.LateSettlement) lateReported?.();
        throw new Error("onError threw");
      },
    });
    expect(ackOf(res)).toEqual(failAck(ErrorCodes.HandlerTimeout));
    await late;
    await tick(10);
  });
});

describe("no silent loss: every failure reaches onError with code, command and raw body", () => {
  const cases: [
    string,
    () => { query: string; body: string },
    Partial<CallbackRouterOptions<express.Request>>,
    number,
    string | undefined,
    boolean,
  ][] = [
    [
      "a body that is not JSON",
      () => ({ query: tencentQuery(memberEnter), body: "{oops" }),
      {},
      ErrorCodes.InvalidJson,
      memberEnter,
      true,
    ],
    [
      "a body that fails the schema",
      () => ({ query: tencentQuery(memberEnter), body: '{"MemberCount":1}' }),
      { handlers: { [memberEnter]: jest.fn() } },
      ErrorCodes.InvalidEvent,
      memberEnter,
      true,
    ],
    [
      "invalid JSON under the older update spelling",
      () => ({ query: tencentQuery("Room.CallbackUpdateRoomInfo"), body: "[" }),
      {},
      ErrorCodes.InvalidJson,
      "Room.CallbackAfterUpdateRoomInfo",
      true,
    ],
    [
      "invalid JSON for an unknown command",
      () => ({ query: tencentQuery("Room.CallbackAfterSomethingNew"), body: "[" }),
      {},
      ErrorCodes.InvalidJson,
      "Room.CallbackAfterSomethingNew",
      true,
    ],
    [
      "another app's SdkAppid (the body is not read)",
      () => ({ query: tencentQuery(memberEnter, { SdkAppid: "1" }), body: samples[memberEnter] }),
      {},
      ErrorCodes.WrongSdkAppId,
      memberEnter,
      false,
    ],
    [
      "a missing signature (the body is not read)",
      () => ({ query: tencentQuery(memberEnter), body: samples[memberEnter] }),
      { token: "secret" },
      ErrorCodes.MissingSignature,
      memberEnter,
      false,
    ],
    [
      "a handler that throws",
      () => ({ query: tencentQuery(memberEnter), body: samples[memberEnter] }),
      {
        handlers: {
          [memberEnter]: () => {
            throw new Error("x");
          },
        },
      },
      ErrorCodes.HandlerFailed,
      memberEnter,
      true,
    ],
    [
      "a handler that times out",
      () => ({ query: tencentQuery(memberEnter), body: samples[memberEnter] }),
      { timeoutMs: 30, handlers: { [memberEnter]: () => new Promise(() => undefined) } },
      ErrorCodes.HandlerTimeout,
      memberEnter,
      true,
    ],
  ];

  it.each(cases)("%s", async (_, make, options, code, command, bodyRead) => {
    const { onError, calls } = errorSink();
    const { app } = appWith({ onError, ...options });
    const port = await start(app);
    const { query, body } = make();
    await send(port, { path: `/trtc?${query}`, body });
    expect(calls).toHaveLength(1);
    const [error, info] = calls[0]!;
    expect({
      code: error.code,
      command: info["command"] ?? info["receivedCommand"],
      rawBody: info["rawBody"],
    }).toEqual({
      code,
      command,
      rawBody: bodyRead ? body : undefined,
    });
  });

  it("reports a late onUnknownCommand settlement with the raw body", async () => {
    const { onError, calls, reported } = errorSink();
    const body = '{"CallbackCommand":"Room.CallbackAfterSomethingNew","RoomId":"r"}';
    const { app } = appWith({
      timeoutMs: 30,
      onError,
      onUnknownCommand: () => new Promise((resolve) => setTimeout(resolve, 80)),
    });
    const port = await start(app);
    await send(port, { path: `/trtc?${tencentQuery("Room.CallbackAfterSomethingNew")}`, body });
    await reported(2);
    expect(
      calls.map(([error, info]) => [error.code, info["command"] ?? info["receivedCommand"], info["rawBody"]]),
    ).toEqual([
      [ErrorCodes.HandlerTimeout, "Room.CallbackAfterSomethingNew", body],
      [ErrorCodes.LateSettlement, "Room.CallbackAfterSomethingNew", body],
    ]);
  });

  it("reports each request's own command and body when a handler rethrows one CallbackError instance", async () => {
    const { onError, calls } = errorSink();
    const busy = new CallbackError("busy", { code: 4242 });
    const { app } = appWith({
      onError,
      handlers: {
        [memberEnter]: () => {
          throw busy;
        },
        "Room.CallbackAfterMemberLeave": () => {
          throw busy;
        },
      },
    });
    const port = await start(app);
    await send(port, { path, body: samples[memberEnter] });
    const leave = samples["Room.CallbackAfterMemberLeave"];
    await send(port, { path: `/trtc?${tencentQuery("Room.CallbackAfterMemberLeave")}`, body: leave });
    expect(calls.map(([error]) => error)).toEqual([busy, busy]);
    expect(calls[1]![1]["command"]).toBe("Room.CallbackAfterMemberLeave");
    expect(calls[1]![1]["rawBody"]).toBe(leave);
  });

  it("reports a body that is not UTF-8 with its text, invalid bytes replaced", async () => {
    const { onError, calls } = errorSink();
    const { app } = appWith({ onError });
    const port = await start(app);
    await send(port, { path, body: bytes('{"RoomId":"r', [0xff], '"}') });
    expect(calls[0]![0].code).toBe(ErrorCodes.InvalidJson);
    expect(calls[0]![1]["rawBody"]).toBe('{"RoomId":"r\ufffd"}');
  });

  it("caps rawBody at rawBodyCap characters", async () => {
    const { onError, calls } = errorSink();
    const { app } = appWith({ onError, rawBodyCap: 10 });
    const port = await start(app);
    await send(port, { path, body: `{"RoomId":${"1".repeat(100)}` });
    expect(calls[0]![1]["rawBody"]).toBe('{"RoomId":');
  });
});
