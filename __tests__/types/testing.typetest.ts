import type { Request } from "express";
import type { IncomingMessage } from "node:http";
import type {
  Ack,
  CallbackCommand,
  CallbackContext,
  CallbackEvent,
  CallbackHandlers,
  CreateRoomEvent,
  MemberEnterEvent,
  MemberLeaveEvent,
  TrtcCallbackError,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "../../lib";
import {
  callbackQuery,
  createCallbackTester,
  sampleEvent,
  sign,
  type CallbackQueryParams,
  type CallbackTester,
  type CallbackTestResult,
  type EventOverrides,
} from "../../lib/testing";
import { expectExact, expectType, type Equal } from "./assert";

// Compile-only, like router.typetest.ts: the testing kit's types.

export function sampleEvents(): void {
  expectExact(sampleEvent("Room.CallbackAfterMemberLeave")).toBe<MemberLeaveEvent>();
  expectExact(sampleEvent("Room.CallbackAfterMemberEnter", { RoomId: "r1" })).toBe<MemberEnterEvent>();
  // Deep overrides: a nested object needs only the fields that change.
  expectExact(sampleEvent("Room.CallbackAfterCreateRoom", { RoomInfo: { RoomName: "standup" } })).toBe<
    CallbackEvent<"Room.CallbackAfterCreateRoom">
  >();
  // Open enumerations take known and future values.
  sampleEvent("Room.CallbackAfterMemberLeave", { Type: "Kicked" });
  sampleEvent("Room.CallbackAfterMemberLeave", { Type: "Banned" });
  // Arrays replace the sample's, with whole elements.
  sampleEvent("Mic.CallbackAfterSeatInfoChanged", {
    SeatList: [{ Index: 2 }, { Index: 3, Member_Account: "u" }],
  });
  expectType<
    Equal<
      EventOverrides<CreateRoomEvent>["RoomInfo"],
      EventOverrides<CreateRoomEvent["RoomInfo"]> | undefined
    >
  >();

  // @ts-expect-error a misspelt command
  sampleEvent("Room.CallbackAfterMemberLeft");
  // @ts-expect-error the older spelling: samples are keyed by the current name
  sampleEvent("Room.CallbackUpdateRoomInfo");
  // @ts-expect-error an override of the wrong type
  sampleEvent("Room.CallbackAfterMemberEnter", { RoomId: 42 });
  // @ts-expect-error a field of another command
  sampleEvent("Room.CallbackAfterMemberEnter", { Reason: "kicked" });
  // @ts-expect-error a nested field of the wrong type
  sampleEvent("Room.CallbackAfterCreateRoom", { RoomInfo: { MaxMemberCount: "300" } });
  // @ts-expect-error another command's CallbackCommand
  sampleEvent("Room.CallbackAfterMemberEnter", { CallbackCommand: "Room.CallbackAfterMemberLeave" });
}

export function queries(): void {
  const query = callbackQuery({ sdkAppId: 1400000001, command: "Room.CallbackAfterMemberEnter", token: "t" });
  expectExact(query).toBe<CallbackQueryParams>();
  expectExact(query.SdkAppid).toBe<string>();
  expectExact(query.CallbackCommand).toBe<string>();
  // Straight into URLSearchParams or supertest's `.query()`.
  const params: Record<string, string> = query;
  new URLSearchParams(query);
  callbackQuery({ sdkAppId: "1400000001", command: "Room.CallbackUpdateRoomInfo", clientIp: null });
  callbackQuery({
    sdkAppId: 1,
    command: "Room.SomethingNew",
    requestTime: 1669872112,
    optPlatform: "RESTAPI",
  });
  expectExact(sign("xxxxyyyy", 1669872112)).toBe<string>();
  expectExact(sign("xxxxyyyy", "1669872112")).toBe<string>();

  // @ts-expect-error sdkAppId is required
  callbackQuery({ command: "Room.CallbackAfterMemberEnter" });
  // @ts-expect-error requestTime is a number of seconds
  callbackQuery({ sdkAppId: 1, command: "Room.CallbackAfterMemberEnter", requestTime: new Date() });
  // @ts-expect-error sign needs a token
  sign(undefined, 1669872112);
  return void params;
}

const handlers: CallbackHandlers = {
  "Room.CallbackAfterMemberEnter": async (event) => void event.RoomId,
};

export async function tester(): Promise<void> {
  const tester = createCallbackTester({ sdkAppId: 1400000001, handlers });
  expectExact(tester).toBe<CallbackTester<IncomingMessage>>();

  const result = await tester.send(
    "Room.CallbackAfterMemberEnter",
    sampleEvent("Room.CallbackAfterMemberEnter"),
  );
  expectExact(result).toBe<
    CallbackTestResult<MemberEnterEvent, CallbackContext<"Room.CallbackAfterMemberEnter", IncomingMessage>>
  >();
  expectExact(result.event).toBe<MemberEnterEvent | undefined>();
  expectExact(result.ack).toBe<Ack>();
  expectExact(result.status).toBe<number>();
  expectExact(result.errors).toBe<readonly TrtcCallbackError[]>();
  expectExact(result.settled).toBe<Promise<void>>();
  // The event defaults to the sample.
  expectExact((await tester.send("Room.CallbackAfterMemberLeave")).event).toBe<
    MemberLeaveEvent | undefined
  >();
  const posted = await tester.post("{not json", { command: "Room.CallbackAfterMemberEnter", method: "POST" });
  expectExact(posted.event).toBe<CallbackEvent | UnknownCallbackEvent | undefined>();
  expectExact(posted.context).toBe<
    CallbackContext<CallbackCommand, IncomingMessage> | UnknownCommandContext<IncomingMessage> | undefined
  >();
  await tester.post({ CallbackCommand: "Room.SomethingNew" }, { query: { Sign: undefined } });

  // @ts-expect-error the event of another command
  await tester.send("Room.CallbackAfterMemberEnter", sampleEvent("Room.CallbackAfterMemberLeave"));
  // @ts-expect-error a misspelt command
  await tester.send("Room.CallbackAfterMemberLeft");
  // @ts-expect-error a query value must be a string
  await tester.send("Room.CallbackAfterMemberEnter", undefined, { query: { RequestTime: 1669872112 } });

  // Inline handlers are inferred as in createCallbackRouter.
  createCallbackTester({
    sdkAppId: 1400000001,
    handlers: {
      "Room.CallbackAfterMemberLeave": (event, context) => {
        expectExact(event).toBe<MemberLeaveEvent>();
        expectExact(context.request).toBe<IncomingMessage>();
      },
    },
  });
  createCallbackTester({
    sdkAppId: 1400000001,
    // @ts-expect-error the same option checks as createCallbackRouter
    handlers: { "Room.CallbackAfterMemberLeft": () => undefined },
  });

  // Handlers written for express.Request need a request the tester cannot invent.
  const expressHandlers: CallbackHandlers<Request> = {
    "Room.CallbackAfterMemberEnter": (_event, context) => context.request.get("user-agent"),
  };
  // @ts-expect-error createRequest is required when handlers expect more than an IncomingMessage
  createCallbackTester({ sdkAppId: 1400000001, handlers: expressHandlers });
  const expressTester = createCallbackTester({
    sdkAppId: 1400000001,
    handlers: expressHandlers,
    createRequest: (init) => ({ ...init, get: () => undefined }) as unknown as Request,
  });
  expectExact(expressTester).toBe<CallbackTester<Request>>();
}
