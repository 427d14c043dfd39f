import { ConfigurationError, createCallbackRouter, type CallbackRouterOptions } from "../lib";
import { configure, DEFAULT_LIMIT, DEFAULT_RAW_BODY_CAP, DEFAULT_TIMEOUT_MS } from "../lib/core/options";

type AnyOptions = CallbackRouterOptions<unknown>;
const noop = () => undefined;

/** Calls the factory with options the types would refuse, as a JavaScript user could. */
function build(options: unknown) {
  return () => createCallbackRouter(options as Parameters<typeof createCallbackRouter>[0]);
}

describe("configure", () => {
  it("fills in the documented defaults", () => {
    const config = configure<unknown>({ sdkAppId: 1400000001, handlers: {} });
    expect(config).toMatchObject({
      sdkAppId: "1400000001",
      tokens: [],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      limit: DEFAULT_LIMIT,
      rawBodyCap: DEFAULT_RAW_BODY_CAP,
    });
    expect(DEFAULT_TIMEOUT_MS).toBe(1500);
    expect(DEFAULT_LIMIT).toBe(1024 * 1024);
  });

  it("accepts the SdkAppid as a string of digits and keeps every handler", () => {
    const config = configure<unknown>({
      sdkAppId: "1400000001",
      handlers: { "Room.CallbackAfterMemberEnter": noop, "Room.CallbackAfterDestroyRoom": undefined },
      token: ["a", "b"],
    } as AnyOptions);
    expect(config.sdkAppId).toBe("1400000001");
    expect([...config.handlers.keys()]).toEqual(["Room.CallbackAfterMemberEnter"]);
    expect(config.tokens).toEqual(["a", "b"]);
  });
});

describe("createCallbackRouter refuses options it cannot run with", () => {
  const cases: [string, unknown, RegExp][] = [
    ["no options", undefined, /needs an options object/],
    ["a missing sdkAppId", { handlers: {} }, /sdkAppId is required.*SDKAppID/],
    [
      "an empty sdkAppId (unset environment variable)",
      { sdkAppId: "", handlers: {} },
      /sdkAppId is required/,
    ],
    [
      "a non-numeric sdkAppId",
      { sdkAppId: "my-app", handlers: {} },
      /sdkAppId must be a positive integer.*"my-app"/,
    ],
    ["a fractional sdkAppId", { sdkAppId: 1.5, handlers: {} }, /sdkAppId must be a positive integer/],
    ["a negative sdkAppId", { sdkAppId: -1, handlers: {} }, /sdkAppId must be a positive integer/],
    ["an sdkAppId with a leading zero", { sdkAppId: "01400000001", handlers: {} }, /sdkAppId must be/],
    ["missing handlers", { sdkAppId: 1 }, /handlers is required.*Room\.CallbackAfterMemberEnter/],
    ["handlers as an array", { sdkAppId: 1, handlers: [] }, /handlers must be a plain object/],
    [
      "a misspelt handler key",
      { sdkAppId: 1, handlers: { "Room.CallbackAfterMemberEntered": noop } },
      /unknown command "Room\.CallbackAfterMemberEntered": did you mean "Room\.CallbackAfterMemberEnter"\?/,
    ],
    [
      "a handler key in the wrong case",
      { sdkAppId: 1, handlers: { "room.callbackaftermemberleave": noop } },
      /did you mean "Room\.CallbackAfterMemberLeave"/,
    ],
    [
      "a key that is nothing like a command",
      { sdkAppId: 1, handlers: { onJoin: noop } },
      /unknown command "onJoin" Commands: Room\.CallbackAfterCreateRoom/,
    ],
    [
      "the older update spelling as a key",
      { sdkAppId: 1, handlers: { "Room.CallbackUpdateRoomInfo": noop } },
      /register "Room\.CallbackUpdateRoomInfo" under its current name "Room\.CallbackAfterUpdateRoomInfo"/,
    ],
    [
      "a handler that is not a function",
      { sdkAppId: 1, handlers: { "Room.CallbackAfterDestroyRoom": "destroy" } },
      /handlers\["Room\.CallbackAfterDestroyRoom"\] must be a function; got "destroy"/,
    ],
    [
      "an empty token",
      { sdkAppId: 1, handlers: {}, token: "" },
      /token must be a non-empty string.*unset environment variable/,
    ],
    ["an empty token list", { sdkAppId: 1, handlers: {}, token: [] }, /token must be a non-empty string/],
    [
      "a token that is not a string",
      { sdkAppId: 1, handlers: {}, token: 42 },
      /token must be a non-empty string/,
    ],
    [
      "a zero timeout",
      { sdkAppId: 1, handlers: {}, timeoutMs: 0 },
      /timeoutMs must be an integer from 1 to 60000; got number 0/,
    ],
    [
      "a timeout in seconds as text",
      { sdkAppId: 1, handlers: {}, timeoutMs: "1.5" },
      /timeoutMs must be an integer/,
    ],
    [
      "handlers as a Map",
      { sdkAppId: 1, handlers: new Map([["Room.CallbackAfterMemberEnter", noop]]) },
      /handlers must be a plain object keyed by command.*got an instance of Map/,
    ],
    [
      "a token with a trailing newline",
      { sdkAppId: 1, handlers: {}, token: "s3cret\n" },
      /token has leading or trailing whitespace.*trim it/,
    ],
    ["a function as sdkAppId", { sdkAppId: () => 1, handlers: {} }, /sdkAppId must be .*; got a function$/],
    [
      "a limit as a size string",
      { sdkAppId: 1, handlers: {}, limit: "1mb" },
      /limit must be an integer.*"1mb"/,
    ],
    [
      "an onError that is not a function",
      { sdkAppId: 1, handlers: {}, onError: true },
      /onError must be a function/,
    ],
    [
      "an onUnknownCommand that is not a function",
      { sdkAppId: 1, handlers: {}, onUnknownCommand: {} },
      /onUnknownCommand must be a function; got an object/,
    ],
    [
      "a misspelt option",
      { sdkAppId: 1, handlers: {}, timeout: 1000 },
      /unknown option "timeout": did you mean "timeoutMs"\?/,
    ],
    [
      "a misspelt sdkAppId",
      { sdkAppID: 1, handlers: {} },
      /unknown option "sdkAppID": did you mean "sdkAppId"\?/,
    ],
  ];

  it.each(cases)("%s", (_, options, message) => {
    const attempt = build(options);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(message);
  });

  it("prefixes every message with the package name so it is found in logs", () => {
    expect(build({ handlers: {} })).toThrow(/^trtc-room-callbacks: /);
  });

  it("explains app.use(createCallbackRouter) written without the call", () => {
    const fakeRequest = { method: "POST", headers: {}, url: "/trtc" };
    expect(build(fakeRequest)).toThrow(
      /used as a middleware without being called.*createCallbackRouter\(\{ sdkAppId/,
    );
  });

  it("accepts handlers made in another realm (a vm context, a test runner's)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require("node:vm") as typeof import("node:vm");
    const handlers = vm.runInNewContext("({})") as Record<string, unknown>;
    handlers["Room.CallbackAfterMemberEnter"] = noop;
    expect([...configure<unknown>({ sdkAppId: 1, handlers } as AnyOptions).handlers.keys()]).toEqual([
      "Room.CallbackAfterMemberEnter",
    ]);
  });

  it("returns an Express middleware when the options are right", () => {
    const router = createCallbackRouter({ sdkAppId: 1400000001, handlers: {} });
    expect(typeof router).toBe("function");
    // Two or three parameters: four would make Express treat it as an error handler.
    expect(router.length).toBeLessThan(4);
  });
});
