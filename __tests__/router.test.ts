import express from "express";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CallbackError,
  ErrorCodes,
  sign,
  type CallbackEvent,
  type CallbackFailureInfo,
  type TrtcCallbackError,
} from "../lib";
import { samples, type SampleCommand } from "./helpers/fixtures";
import { createApp, OK_ACK, post, SDK_APP_ID, tencentQuery } from "./helpers/server";

const commands = Object.keys(samples) as SampleCommand[];
const memberEnter = "Room.CallbackAfterMemberEnter";

function failAck(code: number, info: string | RegExp = expect.any(String) as unknown as string) {
  return {
    ActionStatus: "FAIL",
    ErrorCode: code,
    ErrorInfo: info instanceof RegExp ? expect.stringMatching(info) : info,
  };
}

describe("a handled callback", () => {
  it.each(commands)("%s: calls the handler once with the normalised event and acks OK", async (command) => {
    const handler = jest.fn(async () => undefined);
    const app = createApp({ handlers: { [command]: handler } });
    const res = await post(app, tencentQuery(command), samples[command]);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual(OK_ACK);
    expect(Object.keys(res.body as object).sort()).toEqual(["ActionStatus", "ErrorCode", "ErrorInfo"]);
    expect(handler).toHaveBeenCalledTimes(1);
    const [event] = handler.mock.calls[0] as unknown as [Record<string, unknown>];
    expect(event["CallbackCommand"]).toBe(command);
  });

  it("hands an 18-digit Member_Account sent as a bare number on as its exact string", async () => {
    let event: CallbackEvent<"Mic.CallbackAfterSeatInfoChanged"> | undefined;
    const app = createApp({
      handlers: { "Mic.CallbackAfterSeatInfoChanged": (e) => void (event = e) },
    });
    await post(
      app,
      tencentQuery("Mic.CallbackAfterSeatInfoChanged"),
      samples["Mic.CallbackAfterSeatInfoChanged"],
    ).expect(200, OK_ACK);
    expect(event?.SeatList?.[0]?.Member_Account).toBe("144115233775727695");
    expect(event?.SeatList?.[0]?.IsTakenDisabled).toBe(false);
    expect(event?.SeatList?.[0]?.Index).toBe(1);
  });

  it('turns the update sample\'s "false" into a boolean', async () => {
    let event: CallbackEvent<"Room.CallbackAfterUpdateRoomInfo"> | undefined;
    const app = createApp({ handlers: { "Room.CallbackAfterUpdateRoomInfo": (e) => void (event = e) } });
    await post(
      app,
      tencentQuery("Room.CallbackAfterUpdateRoomInfo"),
      samples["Room.CallbackAfterUpdateRoomInfo"],
    ).expect(200, OK_ACK);
    expect(event?.RoomInfo.IsCloudRecordingDisabled).toBe(false);
    expect(event?.RoomInfo.RoomId).toBe("rid-123");
  });

  it("routes the older spelling Room.CallbackUpdateRoomInfo to the update handler, with the canonical command", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { "Room.CallbackAfterUpdateRoomInfo": handler } });
    const body = samples["Room.CallbackAfterUpdateRoomInfo"].replace(
      "Room.CallbackAfterUpdateRoomInfo",
      "Room.CallbackUpdateRoomInfo",
    );
    await post(app, tencentQuery("Room.CallbackUpdateRoomInfo"), body).expect(200, OK_ACK);
    expect(handler).toHaveBeenCalledTimes(1);
    const [event, context] = handler.mock.calls[0] as [Record<string, unknown>, Record<string, unknown>];
    expect(event["CallbackCommand"]).toBe("Room.CallbackAfterUpdateRoomInfo");
    expect(context["command"]).toBe("Room.CallbackAfterUpdateRoomInfo");
    expect(context["receivedCommand"]).toBe("Room.CallbackUpdateRoomInfo");
  });

  it("keeps unknown fields, turns small numeric IDs into strings and drops empty seats' Member_Account", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { "Mic.CallbackAfterSeatInfoChanged": handler } });
    const body = JSON.stringify({
      CallbackCommand: "Mic.CallbackAfterSeatInfoChanged",
      RoomId: 8888,
      Operator_Account: 42,
      EventType: "SeatChanged",
      SeatList: [
        { Index: 0, Member_Account: "", Extra: { nested: [1] } },
        { Index: 1, Member_Account: null },
        { Index: "2" },
      ],
    });
    await post(app, tencentQuery("Mic.CallbackAfterSeatInfoChanged"), body).expect(200, OK_ACK);
    const [event] = handler.mock.calls[0] as [Record<string, unknown>];
    expect(event).toEqual({
      CallbackCommand: "Mic.CallbackAfterSeatInfoChanged",
      RoomId: "8888",
      Operator_Account: "42",
      EventType: "SeatChanged",
      SeatList: [{ Index: 0, Extra: { nested: [1] } }, { Index: 1 }, { Index: 2 }],
    });
  });

  it("gives the handler a context with the command, the query fields, the request and an AbortSignal", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    await post(
      app,
      tencentQuery(memberEnter, { ClientIP: "9.8.7.6", OptPlatform: "Harmony" }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
    const [, context] = handler.mock.calls[0] as [unknown, Record<string, unknown>];
    expect(context).toMatchObject({
      command: memberEnter,
      receivedCommand: memberEnter,
      sdkAppId: String(SDK_APP_ID),
      clientIp: "9.8.7.6",
      optPlatform: "Harmony",
    });
    expect(context["signal"]).toBeInstanceOf(AbortSignal);
    expect((context["signal"] as AbortSignal).aborted).toBe(false);
    expect((context["request"] as express.Request).method).toBe("POST");
  });

  it("matches query parameter names case-insensitively (SdkAppId, callbackcommand)", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    await post(
      app,
      `SdkAppId=${SDK_APP_ID}&callbackcommand=${memberEnter}&CLIENTIP=1.1.1.1`,
      samples[memberEnter],
    ).expect(200, OK_ACK);
    expect(handler).toHaveBeenCalledTimes(1);
    expect((handler.mock.calls[0] as [unknown, { clientIp: string }])[1].clientIp).toBe("1.1.1.1");
  });

  it("takes CallbackCommand from the body when the query has none", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    await post(app, `SdkAppid=${SDK_APP_ID}`, samples[memberEnter]).expect(200, OK_ACK);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("takes CallbackCommand from the query when the body has none", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    await post(app, tencentQuery(memberEnter), JSON.stringify({ RoomId: "r1" })).expect(200, OK_ACK);
    expect((handler.mock.calls[0] as [Record<string, unknown>])[0]["CallbackCommand"]).toBe(memberEnter);
  });

  it.each([undefined, "text/plain", "application/json; charset=utf-8", "application/x-www-form-urlencoded"])(
    "parses the body whatever the Content-Type (%s)",
    async (contentType) => {
      const handler = jest.fn();
      const app = createApp({ handlers: { [memberEnter]: handler } });
      await rawPost(app, `/trtc?${tencentQuery(memberEnter)}`, samples[memberEnter], contentType).then(
        (res) => {
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body)).toEqual(OK_ACK);
        },
      );
      expect(handler).toHaveBeenCalledTimes(1);
    },
  );
});

describe("commands without a handler", () => {
  it("acks a known command with no handler OK without calling anything", async () => {
    const other = jest.fn();
    const app = createApp({ handlers: { "Room.CallbackAfterDestroyRoom": other } });
    await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(200, OK_ACK);
    expect(other).not.toHaveBeenCalled();
  });

  it("acks an unknown command OK and offers it to onUnknownCommand with the parsed body", async () => {
    const onUnknownCommand = jest.fn();
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler }, onUnknownCommand });
    const body =
      '{"CallbackCommand":"Room.CallbackAfterSomethingNew","RoomId":"r1","Big":123456789012345678}';
    await post(app, tencentQuery("Room.CallbackAfterSomethingNew"), body).expect(200, OK_ACK);
    expect(handler).not.toHaveBeenCalled();
    expect(onUnknownCommand).toHaveBeenCalledTimes(1);
    const [event, context] = onUnknownCommand.mock.calls[0] as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(event).toEqual({
      CallbackCommand: "Room.CallbackAfterSomethingNew",
      RoomId: "r1",
      Big: "123456789012345678",
    });
    expect(context["receivedCommand"]).toBe("Room.CallbackAfterSomethingNew");
    expect(context["command"]).toBeUndefined();
  });

  it("acks FAIL when onUnknownCommand throws", async () => {
    const app = createApp({
      handlers: {},
      onUnknownCommand: () => {
        throw new CallbackError("not supported", { code: 77 });
      },
    });
    await post(app, tencentQuery("Room.New"), JSON.stringify({ CallbackCommand: "Room.New" })).expect(
      200,
      failAck(77, "not supported"),
    );
  });

  it("acks an unknown command OK when no onUnknownCommand is set", async () => {
    const app = createApp();
    await post(app, tencentQuery("Room.New"), "{}").expect(200, OK_ACK);
  });
});

describe("handler failures", () => {
  it("acks a CallbackError with its code and message", async () => {
    const onError = jest.fn();
    const app = createApp({
      onError,
      handlers: {
        "Mic.CallbackAfterSeatInfoChanged": () => {
          throw new CallbackError("seat sync failed", { code: 4321 });
        },
      },
    });
    await post(
      app,
      tencentQuery("Mic.CallbackAfterSeatInfoChanged"),
      samples["Mic.CallbackAfterSeatInfoChanged"],
    ).expect(200, failAck(4321, "seat sync failed"));
    expect(onError).toHaveBeenCalledTimes(1);
    const [error, info] = onError.mock.calls[0] as [TrtcCallbackError, CallbackFailureInfo];
    expect(error).toBeInstanceOf(CallbackError);
    expect(info.command).toBe("Mic.CallbackAfterSeatInfoChanged");
    expect(info.rawBody).toBe(samples["Mic.CallbackAfterSeatInfoChanged"]);
  });

  it("gives a CallbackError without a code the documented default", async () => {
    const app = createApp({
      handlers: { [memberEnter]: async () => Promise.reject(new CallbackError("try later")) },
    });
    await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(
      200,
      failAck(ErrorCodes.CallbackFailed, "try later"),
    );
  });

  it.each([
    [
      "throws an Error",
      () => {
        throw new Error("db password is hunter2");
      },
    ],
    ["rejects with an Error", async () => Promise.reject(new Error("db password is hunter2"))],
    [
      "throws a string",
      () => {
        throw "db password is hunter2";
      },
    ],
    ["rejects with undefined", async () => Promise.reject(undefined)],
  ])(
    "acks a handler that %s with the generic code, never echoing the error, and reports it",
    async (_, handler) => {
      const onError = jest.fn();
      const app = createApp({ onError, handlers: { [memberEnter]: handler } });
      const res = await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(200);
      expect(res.body).toEqual(failAck(ErrorCodes.HandlerFailed, "the callback handler failed"));
      expect(res.text).not.toContain("hunter2");
      expect(onError).toHaveBeenCalledTimes(1);
      const [error, info] = onError.mock.calls[0] as [TrtcCallbackError, Record<string, unknown>];
      expect(error.name).toBe("HandlerError");
      expect(error.code).toBe(ErrorCodes.HandlerFailed);
      expect(info["command"]).toBe(memberEnter);
    },
  );

  it("acks FAIL at the deadline, aborts context.signal, and reports the late result to onError only", async () => {
    const onError = jest.fn();
    let signal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    const settled = new Promise<void>((resolve) => (finish = resolve));
    const app = createApp({
      timeoutMs: 50,
      onError,
      handlers: {
        [memberEnter]: (_event, context) =>
          new Promise<void>((resolve) => {
            signal = context.signal;
            setTimeout(() => {
              resolve();
              setImmediate(() => finish?.());
            }, 150);
          }),
      },
    });
    const res = await post(app, tencentQuery(memberEnter), samples[memberEnter]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(failAck(ErrorCodes.HandlerTimeout, /within 50 ms/));
    expect(signal?.aborted).toBe(true);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0] as [TrtcCallbackError])[0].name).toBe("HandlerTimeoutError");
    await settled;
    expect(onError).toHaveBeenCalledTimes(2);
    const [late, info] = onError.mock.calls[1] as [TrtcCallbackError, CallbackFailureInfo];
    expect(late.code).toBe(ErrorCodes.LateSettlement);
    expect(info.command).toBe(memberEnter);
  });

  it("reports a handler that rejects after the deadline with the rejection as cause", async () => {
    const onError = jest.fn();
    const boom = new Error("late boom");
    let done: (() => void) | undefined;
    const reported = new Promise<void>((resolve) => (done = resolve));
    onError.mockImplementation(() => {
      if (onError.mock.calls.length === 2) done?.();
    });
    const app = createApp({
      timeoutMs: 30,
      onError,
      handlers: { [memberEnter]: () => new Promise((_, reject) => setTimeout(() => reject(boom), 80)) },
    });
    const res = await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(200);
    expect(res.body).toEqual(failAck(ErrorCodes.HandlerTimeout));
    await reported;
    const [late] = onError.mock.calls[1] as [TrtcCallbackError];
    expect(late.code).toBe(ErrorCodes.LateSettlement);
    expect(late.cause).toBe(boom);
  });
});

describe("what handlers throw is theirs", () => {
  /** Sends the member-enter sample to a handler that throws `thrown`; what reached the client and onError. */
  async function throwFromHandler(thrown: unknown) {
    const onError = jest.fn();
    const app = createApp({
      onError,
      handlers: {
        [memberEnter]: () => {
          throw thrown;
        },
      },
    });
    const res = await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(200);
    return { onError, res };
  }

  it("never modifies a thrown CallbackError: a frozen one still gets its ack, and onError it with the request beside it", async () => {
    const thrown = Object.freeze(new CallbackError("not ready", { code: 4242 }));
    const { onError, res } = await throwFromHandler(thrown);
    expect(res.body).toEqual(failAck(4242, "not ready"));
    const [reported, info] = onError.mock.calls[0] as [TrtcCallbackError, CallbackFailureInfo];
    expect(reported).toBe(thrown);
    expect(info.rawBody).toBe(samples[memberEnter]);
    expect(info.command).toBe(memberEnter);
  });

  it("reports one shared CallbackError thrown for concurrent requests with each request's own body", async () => {
    const shared = new CallbackError("busy", { code: 4300 });
    const bodies: (string | undefined)[] = [];
    const app = createApp({
      onError: async (_error, info) => {
        await new Promise((resolve) => setImmediate(resolve));
        bodies.push(info.rawBody);
      },
      handlers: {
        [memberEnter]: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          throw shared;
        },
      },
    });
    const one = JSON.stringify({ RoomId: "room-1" });
    const two = JSON.stringify({ RoomId: "room-2" });
    await Promise.all([post(app, tencentQuery(memberEnter), one), post(app, tencentQuery(memberEnter), two)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bodies.sort()).toEqual([one, two]);
  });

  it("reports a thrown CallbackError subclass as it is, with its own fields", async () => {
    class RetryLater extends CallbackError {
      readonly retryAfter = 5;
    }
    const thrown = new RetryLater("retry later", { code: 4503 });
    const { onError, res } = await throwFromHandler(thrown);
    expect(res.body).toEqual(failAck(4503, "retry later"));
    const [reported, info] = onError.mock.calls[0] as [RetryLater, CallbackFailureInfo];
    expect(reported).toBe(thrown);
    expect(reported.retryAfter).toBe(5);
    expect(info.command).toBe(memberEnter);
  });
});

describe("faults that are not the handler's", () => {
  /** A body parser stand-in: reads the stream, then leaves `body()` in `req.body` as body-parser would. */
  const preParsed =
    (body: () => unknown): express.RequestHandler =>
    (req, _res, next) => {
      (req as { _body?: boolean })._body = true;
      req.body = body();
      req.resume();
      req.on("end", () => next());
    };

  it("answers 500 FAIL 5900 for a pre-parsed body it cannot read, reported as an InternalError", async () => {
    const onError = jest.fn();
    const handler = jest.fn();
    const hostile = preParsed(() =>
      Object.defineProperty({}, "RoomId", {
        enumerable: true,
        get() {
          throw new Error("getter exploded");
        },
      }),
    );
    const app = createApp({ onError, handlers: { [memberEnter]: handler } }, hostile);
    const res = await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(500);
    expect(res.body).toEqual(failAck(ErrorCodes.Internal, "internal error in trtc-room-callbacks"));
    expect(handler).not.toHaveBeenCalled();
    const [error] = onError.mock.calls[0] as [TrtcCallbackError];
    expect(error.name).toBe("InternalError");
    expect((error.cause as Error).message).toBe("getter exploded");
  });

  it("reports an internal fault even when what was thrown has no text (a null-prototype object)", async () => {
    const onError = jest.fn();
    const hostile = preParsed(() =>
      Object.defineProperty({}, "RoomId", {
        enumerable: true,
        get() {
          throw Object.create(null);
        },
      }),
    );
    const app = createApp({ onError, handlers: { [memberEnter]: jest.fn() } }, hostile);
    await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(500);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0] as [TrtcCallbackError])[0].code).toBe(ErrorCodes.Internal);
  });

  it("handles a cyclic pre-parsed body without hanging", async () => {
    const handler = jest.fn();
    const cyclic = preParsed(() => {
      const body: Record<string, unknown> = { CallbackCommand: memberEnter, RoomId: "r1" };
      body["self"] = body;
      return body;
    });
    const app = createApp({ handlers: { [memberEnter]: handler } }, cyclic);
    await post(app, tencentQuery(memberEnter), samples[memberEnter]).expect(200, OK_ACK);
    expect((handler.mock.calls[0] as [Record<string, unknown>])[0]["RoomId"]).toBe("r1");
  });
});

describe("rejected requests", () => {
  const cases: [string, () => { query: string; body: string }, number, number][] = [
    [
      "a body that is not JSON",
      () => ({ query: tencentQuery(memberEnter), body: "{not json" }),
      400,
      ErrorCodes.InvalidJson,
    ],
    ["an empty body", () => ({ query: tencentQuery(memberEnter), body: "" }), 400, ErrorCodes.InvalidJson],
    [
      "a JSON array",
      () => ({ query: tencentQuery(memberEnter), body: "[1,2]" }),
      400,
      ErrorCodes.InvalidJson,
    ],
    [
      "a JSON string",
      () => ({ query: tencentQuery(memberEnter), body: '"hello"' }),
      400,
      ErrorCodes.InvalidJson,
    ],
    ["JSON null", () => ({ query: tencentQuery(memberEnter), body: "null" }), 400, ErrorCodes.InvalidJson],
    [
      "a body without RoomId",
      () => ({ query: tencentQuery(memberEnter), body: '{"MemberCount":1}' }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "a RoomInfo without RoomId",
      () => ({ query: tencentQuery("Room.CallbackAfterCreateRoom"), body: '{"RoomInfo":{}}' }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "MemberCount as text",
      () => ({ query: tencentQuery(memberEnter), body: '{"RoomId":"r","MemberCount":"many"}' }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "MemberList_Account not an array",
      () => ({ query: tencentQuery(memberEnter), body: '{"RoomId":"r","MemberList_Account":"u1"}' }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "a flag that is not a boolean",
      () => ({
        query: tencentQuery("Mic.CallbackAfterSeatInfoChanged"),
        body: '{"RoomId":"r","SeatList":[{"IsTakenDisabled":"maybe"}]}',
      }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "a body CallbackCommand that differs from the query's",
      () => ({ query: tencentQuery(memberEnter), body: samples["Room.CallbackAfterMemberLeave"] }),
      400,
      ErrorCodes.CommandMismatch,
    ],
    [
      "a CallbackCommand that is not a string",
      () => ({ query: `SdkAppid=${SDK_APP_ID}`, body: '{"CallbackCommand":7,"RoomId":"r"}' }),
      400,
      ErrorCodes.InvalidEvent,
    ],
    [
      "no CallbackCommand anywhere",
      () => ({ query: `SdkAppid=${SDK_APP_ID}`, body: '{"RoomId":"r"}' }),
      400,
      ErrorCodes.MissingCommand,
    ],
    [
      "CallbackCommand twice in the query",
      () => ({
        query: `${tencentQuery(memberEnter)}&CallbackCommand=${memberEnter}`,
        body: samples[memberEnter],
      }),
      400,
      ErrorCodes.CommandMismatch,
    ],
    [
      "no SdkAppid",
      () => ({ query: `CallbackCommand=${memberEnter}`, body: samples[memberEnter] }),
      403,
      ErrorCodes.MissingSdkAppId,
    ],
    [
      "an empty SdkAppid",
      () => ({ query: `SdkAppid=&CallbackCommand=${memberEnter}`, body: samples[memberEnter] }),
      403,
      ErrorCodes.MissingSdkAppId,
    ],
    [
      "SdkAppid twice",
      () => ({ query: `${tencentQuery(memberEnter)}&sdkappid=${SDK_APP_ID}`, body: samples[memberEnter] }),
      403,
      ErrorCodes.RepeatedSdkAppId,
    ],
    [
      "another app's SdkAppid",
      () => ({ query: tencentQuery(memberEnter, { SdkAppid: "1400000002" }), body: samples[memberEnter] }),
      403,
      ErrorCodes.WrongSdkAppId,
    ],
    [
      "an SdkAppid with a leading zero",
      () => ({
        query: tencentQuery(memberEnter, { SdkAppid: `0${SDK_APP_ID}` }),
        body: samples[memberEnter],
      }),
      403,
      ErrorCodes.WrongSdkAppId,
    ],
  ];

  it.each(cases)("rejects %s without calling the handler", async (_, make, status, code) => {
    const handler = jest.fn();
    const onError = jest.fn();
    const app = createApp({
      onError,
      handlers: Object.fromEntries(commands.map((command) => [command, handler])),
    });
    const { query, body } = make();
    const res = await post(app, query, body);
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual(failAck(code));
    expect(handler).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0] as [TrtcCallbackError])[0].code).toBe(code);
  });

  it("names the failing field in ErrorInfo", async () => {
    const app = createApp({ handlers: { "Room.CallbackAfterCreateRoom": jest.fn() } });
    const res = await post(
      app,
      tencentQuery("Room.CallbackAfterCreateRoom"),
      '{"RoomInfo":{"RoomId":"r","MaxMemberCount":"lots"}}',
    );
    expect(res.body).toEqual(failAck(ErrorCodes.InvalidEvent, /"RoomInfo\.MaxMemberCount" must be a number/));
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"] as const)(
    "answers %s with 405 and Allow: POST",
    async (method) => {
      const handler = jest.fn();
      const app = createApp({ handlers: { [memberEnter]: handler } });
      const { default: request } = await import("supertest");
      const agent = request(app);
      const res = await (method === "GET"
        ? agent.get(`/trtc?${tencentQuery(memberEnter)}`)
        : method === "PUT"
          ? agent.put(`/trtc?${tencentQuery(memberEnter)}`)
          : method === "DELETE"
            ? agent.delete(`/trtc?${tencentQuery(memberEnter)}`)
            : agent.patch(`/trtc?${tencentQuery(memberEnter)}`));
      expect(res.status).toBe(405);
      expect(res.headers["allow"]).toBe("POST");
      expect(res.body).toEqual(failAck(ErrorCodes.MethodNotAllowed));
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it("answers a body over the limit with 413", async () => {
    const handler = jest.fn();
    const app = createApp({ limit: 1000, handlers: { [memberEnter]: handler } });
    const body = JSON.stringify({ RoomId: "r", Padding: "x".repeat(2000) });
    const res = await post(app, tencentQuery(memberEnter), body);
    expect(res.status).toBe(413);
    expect(res.body).toEqual(failAck(ErrorCodes.PayloadTooLarge, /1000 bytes/));
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 413 for a body over the default 1 MiB limit, and accepts one just under it", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    const base = '{"RoomId":"r","Padding":""}'.length;
    const under = JSON.stringify({ RoomId: "r", Padding: "x".repeat(1024 * 1024 - base) });
    expect(Buffer.byteLength(under)).toBe(1024 * 1024);
    await post(app, tencentQuery(memberEnter), under).expect(200, OK_ACK);
    await post(app, tencentQuery(memberEnter), `${under} `).expect(413);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe("signature verification", () => {
  const token = "xxxxyyyy";
  const now = () => Math.floor(Date.now() / 1000);

  it("matches the worked example in Tencent's docs", () => {
    expect(sign("xxxxyyyy", 1669872112)).toBe(
      "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061",
    );
  });

  it("accepts a valid Sign and hands RequestTime to the handler", async () => {
    const handler = jest.fn();
    const app = createApp({ token, handlers: { [memberEnter]: handler } });
    const time = now();
    await post(
      app,
      tencentQuery(memberEnter, { Sign: sign(token, time), RequestTime: String(time) }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
    expect((handler.mock.calls[0] as [unknown, { requestTime: number }])[1].requestTime).toBe(time);
  });

  it("accepts any of several tokens, for rotation", async () => {
    const handler = jest.fn();
    const app = createApp({ token: ["old-token", token], handlers: { [memberEnter]: handler } });
    const time = now();
    await post(
      app,
      tencentQuery(memberEnter, { Sign: sign(token, time), RequestTime: String(time) }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
    await post(
      app,
      tencentQuery(memberEnter, { Sign: sign("old-token", time), RequestTime: String(time) }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  const bad: [string, () => Record<string, string>, number][] = [
    ["no Sign or RequestTime", () => ({}), ErrorCodes.MissingSignature],
    ["no RequestTime", () => ({ Sign: sign(token, now()) }), ErrorCodes.MissingSignature],
    ["no Sign", () => ({ RequestTime: String(now()) }), ErrorCodes.MissingSignature],
    [
      "a Sign made with another token",
      () => ({ Sign: sign("other", now()), RequestTime: String(now()) }),
      ErrorCodes.WrongSignature,
    ],
    [
      "a Sign for another time",
      () => ({ Sign: sign(token, now() - 1), RequestTime: String(now()) }),
      ErrorCodes.WrongSignature,
    ],
    [
      "a Sign that is not hex",
      () => ({ Sign: "z".repeat(64), RequestTime: String(now()) }),
      ErrorCodes.MalformedSignature,
    ],
    [
      "a short Sign",
      () => ({ Sign: sign(token, now()).slice(1), RequestTime: String(now()) }),
      ErrorCodes.MalformedSignature,
    ],
    [
      "a RequestTime that is not a number",
      () => ({ Sign: sign(token, "soon"), RequestTime: "soon" }),
      ErrorCodes.MalformedSignature,
    ],
    [
      "a RequestTime 61 s in the past",
      () => ({ Sign: sign(token, now() - 61), RequestTime: String(now() - 61) }),
      ErrorCodes.ExpiredSignature,
    ],
    [
      "a RequestTime 61 s in the future",
      () => ({ Sign: sign(token, now() + 61), RequestTime: String(now() + 61) }),
      ErrorCodes.ExpiredSignature,
    ],
    [
      "a RequestTime in milliseconds",
      () => ({ Sign: sign(token, Date.now()), RequestTime: String(Date.now()) }),
      ErrorCodes.ExpiredSignature,
    ],
  ];

  it.each(bad)("rejects %s with 401", async (_, params, code) => {
    const handler = jest.fn();
    const app = createApp({ token, handlers: { [memberEnter]: handler } });
    const res = await post(app, tencentQuery(memberEnter, params()), samples[memberEnter]);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(failAck(code));
    expect(handler).not.toHaveBeenCalled();
  });

  it("rejects a repeated Sign", async () => {
    const app = createApp({ token, handlers: {} });
    const time = now();
    const query = `${tencentQuery(memberEnter, { Sign: sign(token, time), RequestTime: String(time) })}&sign=${sign(token, time)}`;
    const res = await post(app, query, samples[memberEnter]).expect(401);
    expect(res.body).toEqual(failAck(ErrorCodes.MalformedSignature));
  });

  it("accepts a RequestTime 59 s away", async () => {
    const app = createApp({ token, handlers: {} });
    const time = now() - 59;
    await post(
      app,
      tencentQuery(memberEnter, { Sign: sign(token, time), RequestTime: String(time) }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
  });

  it("ignores Sign and RequestTime when no token is configured", async () => {
    const app = createApp({ handlers: {} });
    await post(
      app,
      tencentQuery(memberEnter, { Sign: "junk", RequestTime: "0" }),
      samples[memberEnter],
    ).expect(200, OK_ACK);
  });
});

describe("coexisting with body parsers", () => {
  it("works after express.json() has parsed the body", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } }, express.json());
    await post(app, tencentQuery(memberEnter), samples[memberEnter], "application/json").expect(200, OK_ACK);
    expect((handler.mock.calls[0] as [Record<string, unknown>])[0]).toMatchObject({
      RoomId: "rid-123",
      MemberList_Account: ["user1"],
    });
  });

  it("refuses, with what to do, an 18-digit ID that express.json() already rounded", async () => {
    const handler = jest.fn();
    const onError = jest.fn();
    const command = "Mic.CallbackAfterSeatInfoChanged";
    const app = createApp({ onError, handlers: { [command]: handler } }, express.json());
    const res = await post(app, tencentQuery(command), samples[command], "application/json").expect(400);
    expect(res.body).toEqual(
      failAck(
        ErrorCodes.InvalidEvent,
        /"SeatList\[0\]\.Member_Account" is a number beyond 2\^53.*mount the router before express\.json\(\)/,
      ),
    );
    expect(handler).not.toHaveBeenCalled();
    expect((onError.mock.calls[0] as [TrtcCallbackError, CallbackFailureInfo])[1].rawBody).toContain(
      "144115233775727680",
    );
  });

  it("reports a body express.json() parsed, as JSON text, when it fails validation", async () => {
    const onError = jest.fn();
    const app = createApp({ onError, handlers: { [memberEnter]: jest.fn() } }, express.json());
    await post(app, tencentQuery(memberEnter), '{"MemberCount": 3}', "application/json").expect(400);
    const [error, info] = onError.mock.calls[0] as [TrtcCallbackError, CallbackFailureInfo];
    expect(error.code).toBe(ErrorCodes.InvalidEvent);
    expect(info.rawBody).toBe('{"MemberCount":3}');
  });

  it("reads the raw body when express.json() skipped it for its content type", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { "Mic.CallbackAfterSeatInfoChanged": handler } }, express.json());
    await post(
      app,
      tencentQuery("Mic.CallbackAfterSeatInfoChanged"),
      samples["Mic.CallbackAfterSeatInfoChanged"],
      "text/plain",
    ).expect(200, OK_ACK);
    const [event] = handler.mock.calls[0] as [CallbackEvent<"Mic.CallbackAfterSeatInfoChanged">];
    expect(event.SeatList?.[0]?.Member_Account).toBe("144115233775727695");
  });

  it("works after express.text() and express.raw()", async () => {
    const handler = jest.fn();
    const text = createApp({ handlers: { [memberEnter]: handler } }, express.text({ type: "*/*" }));
    await post(text, tencentQuery(memberEnter), samples[memberEnter], "text/plain").expect(200, OK_ACK);
    const raw = createApp({ handlers: { [memberEnter]: handler } }, express.raw({ type: "*/*" }));
    await post(raw, tencentQuery(memberEnter), samples[memberEnter], "application/octet-stream").expect(
      200,
      OK_ACK,
    );
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("rejects a body already parsed as invalid by express.json() (Express answers 400 itself)", async () => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } }, express.json());
    const res = await post(app, tencentQuery(memberEnter), "{oops", "application/json");
    expect(res.status).toBe(400);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("prototype safety", () => {
  it.each([
    ['{"RoomId":"r","__proto__":{"polluted":true}}'],
    ['{"RoomId":"r","constructor":{"prototype":{"polluted":true}}}'],
    ['{"RoomId":"r","MemberList_Account":["u"],"x":{"__proto__":{"polluted":true}}}'],
    ['{"RoomId":"r","\\u005f_proto__":{"polluted":true},"\\u0063onstructor":{"polluted":true}}'],
  ])("never lets %s reach Object.prototype", async (body) => {
    const handler = jest.fn();
    const app = createApp({ handlers: { [memberEnter]: handler } });
    await post(app, tencentQuery(memberEnter), body).expect(200, OK_ACK);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const [event] = handler.mock.calls[0] as [Record<string, unknown>];
    expect(Object.prototype.hasOwnProperty.call(event, "__proto__")).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(event, "constructor")).toBe(false);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect((event as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("concurrency", () => {
  it("acks 2,000 callbacks, 64 in flight, each OK and each dispatched exactly once", async () => {
    const seen = new Map<string, number>();
    const app = createApp({
      handlers: {
        [memberEnter]: async (event) => {
          await new Promise((resolve) => setImmediate(resolve));
          const id = event.MemberList_Account?.[0] ?? "";
          seen.set(id, (seen.get(id) ?? 0) + 1);
        },
      },
    });
    const server = await listen(app);
    const { port } = server.address() as AddressInfo;
    try {
      let next = 0;
      const acks: string[] = [];
      const worker = async () => {
        while (next < 2000) {
          const i = next++;
          const body = JSON.stringify({ RoomId: "r", MemberList_Account: [`user-${i}`] });
          const res = await rawPost(port, `/trtc?${tencentQuery(memberEnter)}`, body);
          acks.push(res.body);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      expect(acks).toHaveLength(2000);
      expect(acks.every((ack) => ack === JSON.stringify(OK_ACK))).toBe(true);
      expect(seen.size).toBe(2000);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * A POST through node:http, for what supertest cannot send: no Content-Type
 * header at all. Takes an app (served on an ephemeral port for the call) or a port.
 */
async function rawPost(target: express.Express | number, path: string, body: string, contentType?: string) {
  const server = typeof target === "number" ? undefined : await listen(target);
  const port = typeof target === "number" ? target : (server?.address() as AddressInfo).port;
  try {
    return await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers: Record<string, string | number> = { "Content-Length": Buffer.byteLength(body) };
      if (contentType !== undefined) headers["Content-Type"] = contentType;
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  } finally {
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
