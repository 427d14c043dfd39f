import express from "express";
import request from "supertest";
import { createCallbackRouter, CallbackError, type CallbackHandlers } from "trtc-room-callbacks";
import { callbackQuery, createCallbackTester, sampleEvent } from "trtc-room-callbacks/testing";
import { readFileSync } from "node:fs";
import { IncomingMessage } from "node:http";
import { join } from "node:path";
import {
  ConfigurationError,
  ErrorCodes,
  HandlerError,
  sign as mainSign,
  type CallbackCommand,
  type CallbackRouterOptions,
} from "../lib";
import { COMMAND_NAMES } from "../lib/commands/registry";
import { sign } from "../lib/testing";
import { samples } from "./helpers/fixtures";

const SDK_APP_ID = 1400000001;
const TOKEN = "t0k3n";
const OK_ACK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
const commands: readonly CallbackCommand[] = COMMAND_NAMES;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The Express router with `options`, as users mount it. */
function appWith(options: Partial<CallbackRouterOptions<express.Request>> = {}) {
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, ...options }));
  return app;
}

describe("sampleEvent", () => {
  it.each(commands)(
    "%s: passes the router's validation and reaches the handler unchanged",
    async (command) => {
      const received: unknown[] = [];
      const app = appWith({
        token: TOKEN,
        handlers: { [command]: (event: unknown) => void received.push(event) },
      });
      await request(app)
        .post("/trtc")
        .query(callbackQuery({ sdkAppId: SDK_APP_ID, command, token: TOKEN }))
        .send(sampleEvent(command))
        .expect(200, OK_ACK);
      // Normalisation changes nothing: the sample is already what a handler gets.
      expect(received).toEqual([sampleEvent(command)]);
    },
  );

  it.each(commands)("%s: is the documented sample as the router hands it to the handler", async (command) => {
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      handlers: { [command]: () => undefined },
    });
    const result = await tester.post(samples[command], { command });
    expect(result.ack).toEqual(OK_ACK);
    expect(result.event).toEqual(sampleEvent(command));
  });

  it("keeps the exact 18-digit Member_Account and real booleans", () => {
    const seat = sampleEvent("Mic.CallbackAfterSeatInfoChanged").SeatList?.[0];
    expect(seat?.Member_Account).toBe("144115233775727695");
    expect(sampleEvent("Room.CallbackAfterUpdateRoomInfo").RoomInfo.IsCloudRecordingDisabled).toBe(false);
  });

  it("deep-merges overrides: objects field by field, arrays replaced, undefined removes", () => {
    const created = sampleEvent("Room.CallbackAfterCreateRoom", {
      RoomInfo: { RoomName: "standup", IsSeatEnabled: false, CustomInfo: undefined },
      ScheduleInviteeList_Account: ["alice"],
      Operator_Account: undefined,
    });
    expect(created.RoomInfo).toEqual({
      ...sampleEvent("Room.CallbackAfterCreateRoom").RoomInfo,
      RoomName: "standup",
      IsSeatEnabled: false,
      CustomInfo: undefined,
    });
    expect("CustomInfo" in created.RoomInfo).toBe(false);
    expect(created.RoomInfo.RoomId).toBe("tandy-test-rest");
    expect(created.ScheduleInviteeList_Account).toEqual(["alice"]);
    expect("Operator_Account" in created).toBe(false);
    expect(created.CallbackCommand).toBe("Room.CallbackAfterCreateRoom");

    const seats = sampleEvent("Mic.CallbackAfterSeatInfoChanged", { SeatList: [{ Index: 7 }] });
    expect(seats.SeatList).toEqual([{ Index: 7 }]);
  });

  it("returns a fresh copy each time, sharing nothing with the overrides", () => {
    const overrides = { SeatList: [{ Index: 2, Member_Account: "alice" }] };
    const first = sampleEvent("Mic.CallbackAfterSeatInfoChanged", overrides);
    first.RoomId = "changed";
    first.SeatList?.push({ Index: 3 });
    const seat = first.SeatList?.[0];
    if (seat) seat.Member_Account = "mallory";
    expect(overrides.SeatList).toEqual([{ Index: 2, Member_Account: "alice" }]);
    expect(sampleEvent("Mic.CallbackAfterSeatInfoChanged").RoomId).toBe("rid-123");
    expect(sampleEvent("Mic.CallbackAfterSeatInfoChanged", overrides).SeatList).toEqual([
      { Index: 2, Member_Account: "alice" },
    ]);
  });

  it("treats a __proto__ override key as an ordinary field", () => {
    const overrides = JSON.parse('{"__proto__": {"polluted": true}, "RoomId": "r1"}') as { RoomId: string };
    const event = sampleEvent("Room.CallbackAfterDestroyRoom", overrides);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(event.RoomId).toBe("r1");
  });

  it("rejects an unknown command, suggesting the closest", () => {
    expect(() => sampleEvent("Room.CallbackAfterMemberLeft" as CallbackCommand)).toThrow(
      /unknown command "Room.CallbackAfterMemberLeft": did you mean "Room.CallbackAfterMemberLeave"\?/,
    );
    expect(() => sampleEvent("Room.CallbackUpdateRoomInfo" as CallbackCommand)).toThrow(TypeError);
  });
});

describe("callbackQuery and sign", () => {
  it("builds the query Tencent sends, without a signature when no token is given", () => {
    expect(callbackQuery({ sdkAppId: SDK_APP_ID, command: "Room.CallbackAfterMemberEnter" })).toStrictEqual({
      SdkAppid: "1400000001",
      CallbackCommand: "Room.CallbackAfterMemberEnter",
      contenttype: "json",
      ClientIP: "127.0.0.1",
      OptPlatform: "Web",
    });
    expect(
      callbackQuery({ sdkAppId: "1400000001", command: "x", clientIp: null, optPlatform: null }),
    ).toStrictEqual({ SdkAppid: "1400000001", CallbackCommand: "x", contenttype: "json" });
    expect(
      callbackQuery({ sdkAppId: 1, command: "x", clientIp: "0.0.0.0", optPlatform: "RESTAPI" }),
    ).toMatchObject({ ClientIP: "0.0.0.0", OptPlatform: "RESTAPI" });
  });

  it("signs with the token and the current time", () => {
    const before = nowSeconds();
    const query = callbackQuery({
      sdkAppId: SDK_APP_ID,
      command: "Room.CallbackAfterMemberEnter",
      token: TOKEN,
    });
    const time = Number(query.RequestTime);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(nowSeconds());
    expect(query.Sign).toBe(sign(TOKEN, time));
    expect(query.Sign).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reproduces the documented worked example", () => {
    const expected = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";
    expect(sign("xxxxyyyy", 1669872112)).toBe(expected);
    expect(sign("xxxxyyyy", "1669872112")).toBe(expected);
    expect(sign).toBe(mainSign);
    expect(
      callbackQuery({ sdkAppId: 1, command: "x", token: "xxxxyyyy", requestTime: 1669872112 }),
    ).toMatchObject({ Sign: expected, RequestTime: "1669872112" });
    // A requestTime without a token: RequestTime alone, for testing a missing Sign.
    const unsigned = callbackQuery({ sdkAppId: 1, command: "x", requestTime: 1669872112 });
    expect(unsigned.RequestTime).toBe("1669872112");
    expect("Sign" in unsigned).toBe(false);
  });

  it.each([Date.now(), -1, 1.5, Number.NaN])("rejects requestTime %p, which is not Unix seconds", (time) => {
    expect(() => callbackQuery({ sdkAppId: 1, command: "x", token: TOKEN, requestTime: time })).toThrow(
      /requestTime is Unix time in seconds/,
    );
  });

  it.each([
    ["a signed query", {}, 200, 0],
    ["another app's SdkAppid", { sdkAppId: 1400000002 }, 403, ErrorCodes.WrongSdkAppId],
    ["a wrong token", { token: "wrong" }, 401, ErrorCodes.WrongSignature],
    ["a RequestTime 61 s old", { requestTime: nowSeconds() - 61 }, 401, ErrorCodes.ExpiredSignature],
    ["no token", { token: undefined }, 401, ErrorCodes.MissingSignature],
  ])("is judged by the real router: %s", async (_label, change, status, code) => {
    const app = appWith({ token: TOKEN, handlers: { "Room.CallbackAfterMemberEnter": () => undefined } });
    const query = callbackQuery({
      sdkAppId: SDK_APP_ID,
      command: "Room.CallbackAfterMemberEnter",
      token: TOKEN,
      ...change,
    });
    const res = await request(app)
      .post("/trtc")
      .query(query)
      .send(sampleEvent("Room.CallbackAfterMemberEnter"));
    expect(res.status).toBe(status);
    expect((res.body as { ErrorCode: number }).ErrorCode).toBe(code);
  });
});

describe("createCallbackTester", () => {
  it("runs the handler with the normalised event and a context like the router's", async () => {
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      token: TOKEN,
      handlers: { "Room.CallbackAfterMemberLeave": () => undefined },
    });
    expect(tester.sdkAppId).toBe("1400000001");
    const event = sampleEvent("Room.CallbackAfterMemberLeave", { Type: "Kicked" });
    const result = await tester.send("Room.CallbackAfterMemberLeave", event, {
      clientIp: "10.0.0.1",
      optPlatform: "Android",
    });
    expect(result).toMatchObject({ status: 200, ack: OK_ACK, ok: true, handled: true, errors: [] });
    expect(result.event).toEqual(event);
    const context = result.context;
    expect(context).toMatchObject({
      command: "Room.CallbackAfterMemberLeave",
      receivedCommand: "Room.CallbackAfterMemberLeave",
      sdkAppId: "1400000001",
      clientIp: "10.0.0.1",
      optPlatform: "Android",
    });
    expect(Math.abs((context?.requestTime ?? 0) - nowSeconds())).toBeLessThanOrEqual(1);
    expect(context?.signal).toBeInstanceOf(AbortSignal);
    expect(context?.signal.aborted).toBe(false);
    expect(context?.request).toBeInstanceOf(IncomingMessage);
    expect(context?.request.method).toBe("POST");
    expect(context?.request.url).toMatch(
      /^\/\?SdkAppid=1400000001&CallbackCommand=Room\.CallbackAfterMemberLeave&/,
    );
  });

  it("sends the command's sample when no event is given", async () => {
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      handlers: { "Mic.CallbackAfterSeatInfoChanged": () => undefined },
    });
    const result = await tester.send("Mic.CallbackAfterSeatInfoChanged");
    expect(result.event).toEqual(sampleEvent("Mic.CallbackAfterSeatInfoChanged"));
  });

  it("acks OK without calling anything for a command without a handler", async () => {
    const tester = createCallbackTester({ sdkAppId: SDK_APP_ID, handlers: {} });
    const result = await tester.send("Room.CallbackAfterDestroyRoom");
    expect(result).toMatchObject({ status: 200, ack: OK_ACK, handled: false, event: undefined });
    await expect(result.settled).resolves.toBeUndefined();
  });

  it("reports a handler's failure to result.errors and to your onError, never in the ack", async () => {
    const onError = jest.fn();
    const boom = new Error("database down");
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      onError,
      handlers: {
        "Room.CallbackAfterMemberEnter": async () => {
          throw boom;
        },
      },
    });
    const result = await tester.send("Room.CallbackAfterMemberEnter");
    expect(result.status).toBe(200);
    expect(result.ok).toBe(false);
    expect(result.ack.ActionStatus).toBe("FAIL");
    expect(result.ack.ErrorCode).toBe(ErrorCodes.HandlerFailed);
    expect(result.ack.ErrorInfo).not.toContain("database down");
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toBeInstanceOf(HandlerError);
    expect(error?.cause).toBe(boom);
    expect(result.failures[0]?.command).toBe("Room.CallbackAfterMemberEnter");
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toBe(error);
  });

  it("times a slow handler out: FAIL 5002, signal aborted, the late settlement in errors once settled", async () => {
    let signal: AbortSignal | undefined;
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      timeoutMs: 30,
      handlers: {
        "Room.CallbackAfterMemberEnter": (_event, context) => {
          signal = context.signal;
          return new Promise((resolve) => setTimeout(resolve, 80));
        },
      },
    });
    const result = await tester.send("Room.CallbackAfterMemberEnter");
    expect(result.ack).toMatchObject({ ActionStatus: "FAIL", ErrorCode: ErrorCodes.HandlerTimeout });
    expect(signal?.aborted).toBe(true);
    expect(result.errors.map((error) => error.code)).toEqual([ErrorCodes.HandlerTimeout]);
    await result.settled;
    expect(result.errors.map((error) => error.code)).toEqual([
      ErrorCodes.HandlerTimeout,
      ErrorCodes.LateSettlement,
    ]);
  });

  it("runs on the global timers, so fake timers decide when the deadline passes", async () => {
    jest.useFakeTimers();
    try {
      const tester = createCallbackTester({
        sdkAppId: SDK_APP_ID,
        handlers: {
          "Room.CallbackAfterMemberEnter": () => new Promise((resolve) => setTimeout(resolve, 5000)),
        },
      });
      let answered = false;
      const pending = tester.send("Room.CallbackAfterMemberEnter").finally(() => (answered = true));
      await jest.advanceTimersByTimeAsync(1499);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const result = await pending;
      expect(result.ack.ErrorCode).toBe(ErrorCodes.HandlerTimeout);
      await jest.advanceTimersByTimeAsync(3500);
      await result.settled;
      expect(result.errors.map((error) => error.code)).toEqual([
        ErrorCodes.HandlerTimeout,
        ErrorCodes.LateSettlement,
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("lets a test break the query: token, Sign, SdkAppid", async () => {
    const tester = createCallbackTester({ sdkAppId: SDK_APP_ID, token: [TOKEN, "next"], handlers: {} });
    const code = async (options: Parameters<typeof tester.send>[2]) =>
      (await tester.send("Room.CallbackAfterMemberEnter", undefined, options)).ack.ErrorCode;
    expect(await code({})).toBe(0);
    expect(await code({ token: "next" })).toBe(0);
    expect(await code({ token: null })).toBe(ErrorCodes.MissingSignature);
    expect(await code({ token: "wrong" })).toBe(ErrorCodes.WrongSignature);
    expect(await code({ query: { Sign: undefined } })).toBe(ErrorCodes.MissingSignature);
    expect(await code({ requestTime: nowSeconds() - 120 })).toBe(ErrorCodes.ExpiredSignature);
    expect(await code({ query: { SdkAppid: "1400000002" } })).toBe(ErrorCodes.WrongSdkAppId);
    expect(await code({ query: { SdkAppid: undefined } })).toBe(ErrorCodes.MissingSdkAppId);
  });

  it("builds context.request with createRequest, or takes the one given to send", async () => {
    const createRequest = jest.fn((init: { method: string; url: string }) => ({ made: init.url }));
    const tester = createCallbackTester<{ made: string }>({
      sdkAppId: SDK_APP_ID,
      createRequest,
      handlers: { "Room.CallbackAfterDestroyRoom": () => undefined },
    });
    const made = await tester.send("Room.CallbackAfterDestroyRoom");
    expect(createRequest).toHaveBeenCalledTimes(1);
    expect(createRequest.mock.calls[0]?.[0]).toMatchObject({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sampleEvent("Room.CallbackAfterDestroyRoom")),
    });
    expect(made.context?.request).toEqual({ made: createRequest.mock.calls[0]?.[0].url });
    const given = { made: "by the test" };
    expect(
      (await tester.send("Room.CallbackAfterDestroyRoom", undefined, { request: given })).context?.request,
    ).toBe(given);
    expect(createRequest).toHaveBeenCalledTimes(1);
  });

  it("offers unknown commands to onUnknownCommand and records them", async () => {
    const tester = createCallbackTester({
      sdkAppId: SDK_APP_ID,
      handlers: {},
      onUnknownCommand: () => {
        throw new CallbackError("not yet", { code: 4242 });
      },
    });
    const result = await tester.post({ CallbackCommand: "Room.CallbackSomethingNew", RoomId: "r1" });
    expect(result.handled).toBe(true);
    expect(result.event).toEqual({ CallbackCommand: "Room.CallbackSomethingNew", RoomId: "r1" });
    expect(result.ack).toEqual({ ActionStatus: "FAIL", ErrorCode: 4242, ErrorInfo: "not yet" });
  });

  it.each([
    [
      "an unknown handler key",
      { handlers: { "Room.CallbackAfterMemberLeft": () => undefined } },
      /did you mean/,
    ],
    [
      "a handler that is not a function",
      { handlers: { "Room.CallbackAfterMemberEnter": 1 } },
      /must be a function/,
    ],
    ["an empty token", { handlers: {}, token: "" }, /token must be a non-empty string/],
    ["an unknown option", { handlers: {}, timeout: 10 }, /did you mean "timeoutMs"/],
    [
      "a createRequest that is not a function",
      { handlers: {}, createRequest: {} },
      /createRequest must be a function/,
    ],
    ["no options", null, /needs an options object/],
  ])("throws ConfigurationError like the router for %s", (_label, options, message) => {
    const create = () =>
      createCallbackTester(
        (options === null ? null : { sdkAppId: SDK_APP_ID, ...options }) as Parameters<
          typeof createCallbackTester
        >[0],
      );
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});

describe("the tester answers as the Express router does", () => {
  const leave = sampleEvent("Room.CallbackAfterMemberLeave");
  const handlers: CallbackHandlers = {
    "Room.CallbackAfterMemberEnter": () => undefined,
    "Room.CallbackAfterUpdateRoomInfo": () => undefined,
    "Room.CallbackAfterMemberLeave": (event) => {
      if (event.Type === "Kicked") throw new CallbackError("kicks not synced", { code: 4100 });
      if (event.Type === "Expired") throw new Error("secret detail");
    },
  };
  const options = { sdkAppId: SDK_APP_ID, token: TOKEN, handlers };
  type Case = {
    body: string;
    command?: string;
    query?: Record<string, string | undefined>;
    method?: string;
    status: number;
    code: number;
  };
  const json = (value: unknown) => JSON.stringify(value);
  const cases: [string, Case][] = [
    ["a handled event", { body: json(leave), status: 200, code: 0 }],
    ["a CallbackError", { body: json({ ...leave, Type: "Kicked" }), status: 200, code: 4100 }],
    [
      "any other error",
      { body: json({ ...leave, Type: "Expired" }), status: 200, code: ErrorCodes.HandlerFailed },
    ],
    [
      "a schema failure",
      { body: json({ ...leave, RoomId: "" }), status: 400, code: ErrorCodes.InvalidEvent },
    ],
    ["a body that is not JSON", { body: "{RoomId:", status: 400, code: ErrorCodes.InvalidJson }],
    ["a JSON array", { body: "[]", status: 400, code: ErrorCodes.InvalidJson }],
    [
      "an 18-digit bare number",
      {
        body: samples["Mic.CallbackAfterSeatInfoChanged"],
        command: "Mic.CallbackAfterSeatInfoChanged",
        status: 200,
        code: 0,
      },
    ],
    [
      "a CallbackCommand that differs from the query's",
      { body: json({ ...leave, CallbackCommand: "Room.CallbackAfterMemberEnter" }), status: 400, code: 4003 },
    ],
    [
      "the older update spelling",
      {
        body: samples["Room.CallbackAfterUpdateRoomInfo"].replace("AfterUpdate", "Update"),
        command: "Room.CallbackUpdateRoomInfo",
        status: 200,
        code: 0,
      },
    ],
    ["no CallbackCommand anywhere", { body: json({ RoomId: "r1" }), command: "", status: 400, code: 4004 }],
    ["a missing Sign", { body: json(leave), query: { Sign: undefined }, status: 401, code: 4011 }],
    ["another app", { body: json(leave), query: { SdkAppid: "1400000002" }, status: 403, code: 4033 }],
    ["a GET", { body: json(leave), method: "GET", status: 405, code: ErrorCodes.MethodNotAllowed }],
  ];

  it.each(cases)(
    "%s",
    async (_label, { body, command = leave.CallbackCommand, query = {}, method = "POST", status, code }) => {
      const tencent: Record<string, string | undefined> = {
        ...callbackQuery({ sdkAppId: SDK_APP_ID, command, token: TOKEN }),
        ...query,
      };
      if (command === "") delete tencent["CallbackCommand"];
      const agent = request(appWith(options));
      const viaHttp = await (method === "GET" ? agent.get("/trtc") : agent.post("/trtc"))
        .query(Object.fromEntries(Object.entries(tencent).filter(([, value]) => value !== undefined)))
        .send(body);
      const inProcess = await createCallbackTester(options).post(body, {
        method,
        command: command === "" ? null : command,
        query,
      });

      expect(inProcess.status).toBe(status);
      expect(inProcess.ack.ErrorCode).toBe(code);
      expect(viaHttp.status).toBe(inProcess.status);
      expect(viaHttp.body).toEqual(inProcess.ack);
      for (const [name, value] of Object.entries(inProcess.headers)) {
        expect(viaHttp.headers[name.toLowerCase()]).toBe(value);
      }
    },
  );
});

// README: "Testing your handlers" (begin) — the README's example, verbatim; a test below checks it.
const seen: string[] = [];
const handlers: CallbackHandlers = {
  "Room.CallbackAfterMemberEnter": async (event) => {
    seen.push(...(event.MemberList_Account ?? []));
  },
  "Room.CallbackAfterMemberLeave": (event) => {
    if (event.Type === "Kicked") throw new CallbackError("kicks are not synced yet", { code: 4100 });
  },
};

test("a member entering is acked OK, in-process", async () => {
  const tester = createCallbackTester({ sdkAppId: 1400000001, token: "t0k3n", handlers });
  const result = await tester.send(
    "Room.CallbackAfterMemberEnter",
    sampleEvent("Room.CallbackAfterMemberEnter", { MemberList_Account: ["alice"] }),
  );
  expect(result.ack).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
  expect(seen).toContain("alice");
});

test("a failing handler is acked FAIL with its code, and reported", async () => {
  const tester = createCallbackTester({ sdkAppId: 1400000001, handlers });
  const result = await tester.send(
    "Room.CallbackAfterMemberLeave",
    sampleEvent("Room.CallbackAfterMemberLeave", { Type: "Kicked" }),
  );
  expect(result.ack).toEqual({
    ActionStatus: "FAIL",
    ErrorCode: 4100,
    ErrorInfo: "kicks are not synced yet",
  });
  expect(result.errors.map((error) => error.code)).toEqual([4100]);
});

test("the same over HTTP, with the Express router", async () => {
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, token: "t0k3n", handlers }));
  await request(app)
    .post("/trtc")
    .query(callbackQuery({ sdkAppId: 1400000001, command: "Room.CallbackAfterMemberEnter", token: "t0k3n" }))
    .send(sampleEvent("Room.CallbackAfterMemberEnter", { RoomId: "r1" }))
    .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
});
// README: "Testing your handlers" (end)

test("the README's example is this file's, verbatim", () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Testing your handlers\n"));
  expect(section).toBeDefined();
  const block = /```ts\n([\s\S]*?)```/.exec(section ?? "")?.[1] ?? "";
  const lines = block.split("\n");
  const imports = lines.filter((line) => line.startsWith("import "));
  const body = lines.slice(lines.findIndex((line) => line !== "" && !line.startsWith("import "))).join("\n");

  const source = readFileSync(__filename, "utf8").split("\n");
  const begin = source.findIndex((line) => line.startsWith('// README: "Testing your handlers" (begin)'));
  const end = source.findIndex((line) => line === '// README: "Testing your handlers" (end)');
  expect(begin).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(begin);
  expect(body.trimEnd()).toBe(source.slice(begin + 1, end).join("\n"));
  expect(imports.length).toBeGreaterThan(0);
  for (const line of imports) expect(source).toContain(line);
});
