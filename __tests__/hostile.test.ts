/**
 * Hostile bodies (issue 9, items 1, 9 and 10): work bounded by the body's
 * size rather than its shape, user IDs never altered by number parsing, and a
 * pre-parsed body too deep to re-serialise still reported with its text.
 * Timings are not asserted here: bench/hostile.mjs measures them.
 */
import express from "express";
import request from "supertest";
import { createCallbackRouter, ErrorCodes, type TrtcCallbackError } from "trtc-room-callbacks";
import { createCallbackTester } from "trtc-room-callbacks/testing";
import { MAX_LIST_LENGTH, MAX_NUMERIC_STRING } from "../lib/commands/fields";
import { parsedText } from "../lib/core/parse-body";
import { tencentQuery } from "./helpers/server";

const SDK_APP_ID = 1400000001;
const memberEnter = "Room.CallbackAfterMemberEnter";
const seats = "Mic.CallbackAfterSeatInfoChanged";

/** Every Joi validation enters through `Validator.entry`: a spy on it sees any use of Joi. */
function joiValidate(): jest.SpyInstance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require("joi/lib/validator") as { entry: (...args: unknown[]) => unknown };
  return jest.spyOn(validator, "entry");
}

function testerWith(handler: jest.Mock) {
  return createCallbackTester({
    sdkAppId: SDK_APP_ID,
    handlers: { [memberEnter]: handler, [seats]: handler },
  });
}

afterEach(() => jest.restoreAllMocks());

describe("CPU bounded by the body's size, not its shape (item 1)", () => {
  it("converts a long seat list with one entry to convert without Joi", async () => {
    const handler = jest.fn();
    const tester = testerWith(handler);
    const list = Array.from({ length: 5000 }, (_, i) => ({ Index: i, Member_Account: `u${i}` }));
    const body = { RoomId: "r1", SeatList: [...list, { Index: "5000", IsTakenDisabled: "true" }] };
    const spy = joiValidate();
    const result = await tester.post({ CallbackCommand: seats, ...body });
    expect(result.ok).toBe(true);
    const event = handler.mock.calls[0]?.[0] as { SeatList: Record<string, unknown>[] };
    expect(event.SeatList[5000]).toEqual({ Index: 5000, IsTakenDisabled: true });
    expect(event.SeatList).toHaveLength(5001);
    expect(spy).not.toHaveBeenCalled();
  });

  it("converts a member list of bare numbers without Joi", async () => {
    const handler = jest.fn();
    const tester = testerWith(handler);
    const ids = Array.from({ length: 5000 }, (_, i) => 100000 + i);
    const spy = joiValidate();
    const result = await tester.post(
      `{"CallbackCommand":"${memberEnter}","RoomId":7,"MemberList_Account":[${ids.join(",")}]}`,
    );
    expect(result.ok).toBe(true);
    const event = handler.mock.calls[0]?.[0] as { RoomId: string; MemberList_Account: string[] };
    expect(event.RoomId).toBe("7");
    expect(event.MemberList_Account).toEqual(ids.map(String));
    expect(spy).not.toHaveBeenCalled();
  });

  it("refuses a list longer than the documented bound with 4002, reaching neither Joi nor the handler", async () => {
    const handler = jest.fn();
    const tester = testerWith(handler);
    const spy = joiValidate();
    const long = `[${Array.from({ length: MAX_LIST_LENGTH + 1 }, () => "{}").join(",")}]`;
    const result = await tester.post(`{"CallbackCommand":"${seats}","RoomId":"r1","SeatList":${long}}`);
    expect(result.status).toBe(400);
    expect(result.ack.ErrorCode).toBe(ErrorCodes.InvalidEvent);
    expect(result.ack.ErrorInfo).toContain(`"SeatList" has more than ${MAX_LIST_LENGTH} entries`);
    expect(handler).not.toHaveBeenCalled();
    expect(spy).not.toHaveBeenCalled();
  });

  it("accepts a list of exactly the bound", async () => {
    const handler = jest.fn();
    const tester = testerWith(handler);
    const ids = Array.from({ length: MAX_LIST_LENGTH }, (_, i) => `u${i}`);
    const result = await tester.post({ CallbackCommand: memberEnter, RoomId: "r1", MemberList_Account: ids });
    expect(result.ok).toBe(true);
  });

  it("reports the first invalid entry of a long list as Joi would, with its path", async () => {
    const tester = testerWith(jest.fn());
    const list = Array.from({ length: 3000 }, (_, i) => ({ Index: i }));
    const result = await tester.post({
      CallbackCommand: seats,
      RoomId: "r1",
      SeatList: [...list, { Index: "x" }, { Index: true }],
    });
    expect(result.status).toBe(400);
    expect(result.ack.ErrorInfo).toBe(`invalid ${seats} event: "SeatList[3000].Index" must be a number`);
  });

  it("drops prototype keys from a body with many arrays without walking the parsed value", async () => {
    const onUnknown = jest.fn();
    const unknown = createCallbackTester({ sdkAppId: SDK_APP_ID, handlers: {}, onUnknownCommand: onUnknown });
    const arrays = Array.from({ length: 2000 }, () => "[]").join(",");
    const text = `{"CallbackCommand":"X.Unknown","constructor":{"prototype":{"p":1}},"a":[${arrays}],"b":{"\\u005f_proto__":{"q":1},"constructor":2,"c":3}}`;
    // The clean-up pass this replaced listed the keys of every object and array it walked.
    const keys = jest.spyOn(Object, "keys");
    const result = await unknown.post(text, { command: "X.Unknown" });
    const calls = keys.mock.calls.length;
    keys.mockRestore();
    expect(calls).toBe(0);
    expect(result.ok).toBe(true);
    const event = onUnknown.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(Object.keys(event)).toEqual(["CallbackCommand", "a", "b"]);
    expect(event["b"]).toEqual({ c: 3 });
    expect(Object.prototype.hasOwnProperty.call(event["b"], "__proto__")).toBe(false);
  });
});

describe("shapes found by review that cost more than their size", () => {
  it("refuses a numeric string longer than MAX_NUMERIC_STRING in an integer field unread, in Joi's words", async () => {
    const handler = jest.fn();
    const joi = joiValidate();
    // Joi's number rules (and a copy of them) take time quadratic in a run of zeros: 13 s for this one.
    const eventTime = `1.${"0".repeat(80_000)}10`;
    const replace = jest.spyOn(String.prototype, "replace");
    const result = await testerWith(handler).post({
      RoomId: "r1",
      CallbackCommand: memberEnter,
      EventTime: eventTime,
    });
    const longReplaces = replace.mock.contexts.filter(
      (self) => String(self).length > MAX_NUMERIC_STRING,
    ).length;
    replace.mockRestore();
    expect(result.status).toBe(400);
    expect(result.ack).toEqual({
      ActionStatus: "FAIL",
      ErrorCode: ErrorCodes.InvalidEvent,
      ErrorInfo: `invalid ${memberEnter} event: "EventTime" must be a number`,
    });
    expect(longReplaces).toBe(0);
    expect(joi).not.toHaveBeenCalled();
    expect(handler).not.toHaveBeenCalled();
    // Shorter numeric strings still convert as Joi converts them.
    const padded = await testerWith(handler).post({
      RoomId: "r1",
      CallbackCommand: memberEnter,
      EventTime: " 0012 ",
    });
    expect(padded.ok).toBe(true);
    expect((handler.mock.calls[0]?.[0] as { EventTime: number }).EventTime).toBe(12);
  });

  it("refuses nested prototype keys that never close as invalid JSON, in time linear in the body", async () => {
    // Each unclosed key once sent the clean-up pass to the end of the text again: a 1 MiB body of
    // them blocked the event loop for over a minute. Jest's 5 s timeout is the bound here.
    const text = '{"constructor":'.repeat(70_000);
    const result = await testerWith(jest.fn()).post(text, { command: memberEnter });
    expect(result.status).toBe(400);
    expect(result.ack.ErrorCode).toBe(ErrorCodes.InvalidJson);
  });
});

describe("no number reaches a handler as a different user ID (item 9)", () => {
  it.each([
    ["a fraction that JSON.parse rounds to a safe integer", `"MemberList_Account":[4503599627370496.5]`],
    ["an exponent", `"MemberList_Account":["a",1e3]`],
    ["a fraction of zero", `"Operator_Account":12.0`],
    ["a tiny fraction", `"Operator_Account":1.0000000000000001`],
    ["a negative zero", `"Operator_Account":-0`],
    ["an exponent in the room ID", `"RoomId":1E2,"MemberList_Account":[]`],
  ])("refuses %s with 400/4002, the handler not called", async (_, fields) => {
    const handler = jest.fn();
    const result = await testerWith(handler).post(
      `{"CallbackCommand":"${memberEnter}",${fields.includes("RoomId") ? "" : '"RoomId":"r1",'}${fields}}`,
    );
    expect(result.status).toBe(400);
    expect(result.ack.ErrorCode).toBe(ErrorCodes.InvalidEvent);
    expect(handler).not.toHaveBeenCalled();
  });

  it("names the field and says what to send instead", async () => {
    const result = await testerWith(jest.fn()).post(
      `{"CallbackCommand":"${memberEnter}","RoomId":"r1","MemberList_Account":["a",4503599627370496.5]}`,
    );
    expect(result.ack.ErrorInfo).toMatch(/MemberList_Account/);
    expect(result.ack.ErrorInfo).toMatch(/4503599627370496\.5/);
    expect(result.ack.ErrorInfo).toMatch(/string/);
  });

  it("spots an ID key spelled with escapes", async () => {
    const result = await testerWith(jest.fn()).post(
      `{"CallbackCommand":"${memberEnter}","RoomId":"r1","MemberList_\\u0041ccount":[4503599627370496.5]}`,
    );
    expect(result.status).toBe(400);
  });

  it("keeps IDs sent as bare integers exact, long or short, and leaves fractions elsewhere alone", async () => {
    const handler = jest.fn();
    const result = await testerWith(handler).post(
      `{"CallbackCommand":"${memberEnter}","RoomId":"r1","MemberList_Account":[4503599627370497,144115233775727695,-12],"Extra":{"Score":1.5e3,"X":[2.0]},"EventTime":1.7e12}`,
    );
    expect(result.ok).toBe(true);
    const event = handler.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(event["MemberList_Account"]).toEqual(["4503599627370497", "144115233775727695", "-12"]);
    expect(event["Extra"]).toEqual({ Score: 1500, X: [2] });
    expect(event["EventTime"]).toBe(1.7e12);
  });

  it("leaves a fraction inside a string or under another key alone", async () => {
    const handler = jest.fn();
    const result = await testerWith(handler).post(
      `{"CallbackCommand":"${memberEnter}","RoomId":"r1","Type":"Operator_Account:1.5","Note_Accounts":1.5,"MemberList_Account":["1.5"]}`,
    );
    expect(result.ok).toBe(true);
    expect((handler.mock.calls[0]?.[0] as Record<string, unknown>)["MemberList_Account"]).toEqual(["1.5"]);
  });
});

describe("a pre-parsed body too deep to re-serialise (item 10)", () => {
  function deep(depth: number): unknown {
    let value: unknown = [];
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  }

  it("parsedText turns any depth back into JSON", () => {
    const value = { a: deep(200_000), b: "x" };
    const text = parsedText(value);
    expect(text.length).toBe(2 * 200_001 + '{"a":,"b":"x"}'.length);
    expect(text.startsWith('{"a":[[[')).toBe(true);
    expect(text.endsWith(']]],"b":"x"}')).toBe(true);
  });

  it("gives what JSON.stringify gives for the values it can handle", () => {
    const values: unknown[] = [
      { a: 1, b: [1, "two", null, true, { c: undefined, d: () => 1 }], e: new Date(0), f: undefined },
      [undefined, () => 1, Symbol("s"), NaN, -0, Infinity],
      { toJSON: () => ({ x: 1 }) },
      { n: { toJSON: (key: string) => key } },
      'str\u2028"',
      42,
      null,
      { [Symbol("k")]: 1, "\u0000": "\ud800" },
    ];
    for (const value of values) expect(parsedText(value)).toBe(JSON.stringify(value));
  });

  it('gives "" for a cycle, a BigInt or a getter that throws, never throwing itself', () => {
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    const throwing = Object.defineProperty({}, "x", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    expect(parsedText(cycle)).toBe("");
    expect(parsedText({ n: 1n })).toBe("");
    expect(parsedText(throwing)).toBe("");
  });

  it("reaches onError with rawBody behind express.json()", async () => {
    const calls: [TrtcCallbackError, { rawBody?: string }][] = [];
    const app = express();
    app.use(express.json({ limit: "10mb" }));
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers: { [memberEnter]: jest.fn() },
        rawBodyCap: 64,
        onError: (error, info) => void calls.push([error, info]),
      }),
    );
    const body = `{"RoomId":"r1","MemberCount":"many","Deep":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const response = await request(app)
      .post(`/trtc?${tencentQuery(memberEnter)}`)
      .set("Content-Type", "application/json")
      .send(body);
    expect(response.status).toBe(400);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[1].rawBody).toBe(body.slice(0, 64));
  });
});
