import type { Request } from "express";
import type { IncomingMessage } from "node:http";
import Joi from "joi";
import {
  createCallbackRouter,
  type CallbackCommand,
  type CallbackContext,
  type CallbackEvent,
  type CallbackHandler,
  type CallbackHandlers,
  type CallbackOptions,
  type CallbackRouterOptions,
  type CreateRoomEvent,
  type DestroyRoomEvent,
  type MemberEnterEvent,
  type MemberLeaveEvent,
  type OpenString,
  type SeatInfoChangedEvent,
  type UpdateRoomInfoEvent,
} from "../../lib";
import { defineCommand, type PayloadOf } from "../../lib/commands/define-command";
import { accountList, flag, integer, objectSchema, roomId, text } from "../../lib/commands/fields";
import { KNOWN_OPTIONS } from "../../lib/core/options";
import { expectExact, expectType, type Equal } from "./assert";

// Compile-only: `npm run typecheck` fails when an inferred type changes or a misuse stops being an error.

/** The literal members an open enumeration keeps for autocompletion. */
type Known<T> = T extends undefined ? never : string extends T ? never : T;

export function inferredFromTheHandlerKey(): void {
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      "Room.CallbackAfterMemberLeave": (event, context) => {
        expectExact(event).toBe<MemberLeaveEvent>();
        expectExact(event).toBe<CallbackEvent<"Room.CallbackAfterMemberLeave">>();
        expectExact(event.CallbackCommand).toBe<"Room.CallbackAfterMemberLeave">();
        expectExact(event.RoomId).toBe<string>();
        expectExact(event.Type).toBe<OpenString<"Leave" | "Kicked" | "Expired"> | undefined>();
        expectType<Equal<Known<typeof event.Type>, "Leave" | "Kicked" | "Expired">>();
        expectExact(event.MemberList_Account).toBe<string[] | undefined>();
        expectExact(event.MemberCount).toBe<number | undefined>();
        expectExact(event.Reason).toBe<string | undefined>();
        expectExact(event.Operator_Account).toBe<string | undefined>();
        expectExact(event.EventTime).toBe<number | undefined>();
        expectExact(context).toBe<CallbackContext<"Room.CallbackAfterMemberLeave", Request>>();
        expectExact(context.command).toBe<"Room.CallbackAfterMemberLeave">();
        expectExact(context.receivedCommand).toBe<string>();
        expectExact(context.sdkAppId).toBe<string>();
        expectExact(context.clientIp).toBe<string | undefined>();
        expectExact(context.optPlatform).toBe<string | undefined>();
        expectExact(context.requestTime).toBe<number | undefined>();
        expectExact(context.request).toBe<Request>();
        expectExact(context.signal).toBe<AbortSignal>();
        // The open enumeration takes a future value without a cast.
        const future: typeof event.Type = "Banned";
        return future;
      },
      "Room.CallbackAfterMemberEnter": async (event) => {
        expectExact(event).toBe<MemberEnterEvent>();
        expectType<Equal<Known<typeof event.Type>, "Enter">>();
        expectExact(event.MemberList_Account).toBe<string[] | undefined>();
      },
      "Mic.CallbackAfterSeatInfoChanged": (event) => {
        expectExact(event).toBe<SeatInfoChangedEvent>();
        const seat = event.SeatList?.[0];
        expectExact(seat).toBe<NonNullable<SeatInfoChangedEvent["SeatList"]>[number] | undefined>();
        if (seat === undefined) return;
        expectExact(seat.Member_Account).toBe<string | undefined>();
        expectExact(seat.Index).toBe<number | undefined>();
        expectExact(seat.IsTakenDisabled).toBe<boolean | undefined>();
        expectExact(seat.IsVideoDisabled).toBe<boolean | undefined>();
        expectExact(seat.IsAudioDisabled).toBe<boolean | undefined>();
      },
      "Room.CallbackAfterCreateRoom": (event) => {
        expectExact(event).toBe<CreateRoomEvent>();
        expectExact(event.RoomInfo.RoomId).toBe<string>();
        expectExact(event.RoomInfo.IsCloudRecordingDisabled).toBe<boolean | undefined>();
        expectExact(event.RoomInfo.IsSeatEnabled).toBe<boolean | undefined>();
        expectExact(event.RoomInfo.CreateTime).toBe<number | undefined>();
        expectType<Equal<Known<typeof event.RoomInfo.RoomType>, "Meeting" | "Conference" | "Live">>();
        expectType<Equal<Known<typeof event.RoomInfo.RoomStatus>, "None" | "NotStarted" | "Running">>();
        expectType<Equal<Known<typeof event.RoomInfo.TakeSeatMode>, "None" | "FreeToTake" | "ApplyToTake">>();
        expectExact(event.ScheduleInviteeList_Account).toBe<string[] | undefined>();
        // @ts-expect-error a create event carries its room in RoomInfo, not RoomId
        return event.RoomId;
      },
      "Room.CallbackAfterUpdateRoomInfo": (event, context) => {
        expectExact(event).toBe<UpdateRoomInfoEvent>();
        expectExact(event.CallbackCommand).toBe<"Room.CallbackAfterUpdateRoomInfo">();
        expectExact(context.command).toBe<"Room.CallbackAfterUpdateRoomInfo">();
      },
      "Room.CallbackAfterDestroyRoom": (event) => {
        expectExact(event).toBe<DestroyRoomEvent>();
        // @ts-expect-error a field of another command
        return event.MemberList_Account;
      },
    },
    onError: (error, info) => {
      expectExact(error.code).toBe<number>();
      expectExact(info.command).toBe<CallbackCommand | undefined>();
      expectExact(info.request).toBe<Request>();
    },
    onUnknownCommand: (event, context) => {
      expectExact(event.CallbackCommand).toBe<string>();
      expectExact(event["SomethingNew"]).toBe<unknown>();
      expectExact(context.receivedCommand).toBe<string>();
    },
  });
}

export function registryDerivedTypes(): void {
  expectType<
    Equal<
      CallbackCommand,
      | "Room.CallbackAfterCreateRoom"
      | "Room.CallbackAfterDestroyRoom"
      | "Room.CallbackAfterUpdateRoomInfo"
      | "Room.CallbackAfterMemberEnter"
      | "Room.CallbackAfterMemberLeave"
      | "Mic.CallbackAfterSeatInfoChanged"
    >
  >();
  // Without an argument, the union of every event, narrowed by CallbackCommand.
  expectType<
    Equal<
      CallbackEvent,
      | CreateRoomEvent
      | DestroyRoomEvent
      | UpdateRoomInfoEvent
      | MemberEnterEvent
      | MemberLeaveEvent
      | SeatInfoChangedEvent
    >
  >();
  expectType<Equal<keyof CallbackHandlers, CallbackCommand>>();
  expectType<
    Equal<
      CallbackHandlers["Room.CallbackAfterMemberEnter"],
      CallbackHandler<"Room.CallbackAfterMemberEnter"> | undefined
    >
  >();
  expectType<
    Equal<Parameters<CallbackHandler<"Room.CallbackAfterMemberEnter">>[1]["request"], IncomingMessage>
  >();
  const event = null as unknown as CallbackEvent;
  if (event.CallbackCommand === "Mic.CallbackAfterSeatInfoChanged") {
    expectExact(event).toBe<SeatInfoChangedEvent>();
  }
}

// Handlers written in their own modules, typed with the exported names, plug into the router.
const onEnter: CallbackHandler<"Room.CallbackAfterMemberEnter"> = async (event, context) => {
  expectExact(event).toBe<MemberEnterEvent>();
  expectExact(context.request).toBe<IncomingMessage>();
};
const handlers: CallbackHandlers = { "Room.CallbackAfterMemberEnter": onEnter };
const expressHandlers: CallbackHandlers<Request> = {
  "Room.CallbackAfterMemberLeave": (_event, context) => context.request.get("user-agent"),
};
const options: CallbackRouterOptions<Request> = { sdkAppId: "1400000001", handlers: expressHandlers };

export function userModules(): void {
  createCallbackRouter({ sdkAppId: 1400000001, handlers });
  createCallbackRouter({ sdkAppId: 1400000001, handlers: { ...handlers, ...expressHandlers } });
  createCallbackRouter(options);
  // A handler may ignore what it does not need, or accept a wider event.
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      "Room.CallbackAfterMemberLeave": () => undefined,
      "Room.CallbackAfterMemberEnter": (event: { RoomId: string }) => event.RoomId,
    },
  });
}

export function misuses(): void {
  const leave = (event: CallbackEvent<"Room.CallbackAfterMemberLeave">) => event.Reason;
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error a misspelt command
      "Room.CallbackAfterMemberLeft": () => undefined,
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error the older spelling is routed, but the handler is registered under the current name
      "Room.CallbackUpdateRoomInfo": () => undefined,
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error a handler typed with another command's event
      "Room.CallbackAfterMemberEnter": leave,
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error an annotation with another command's event
      "Room.CallbackAfterMemberEnter": (event: MemberLeaveEvent) => event.Reason,
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error a handler that is not a function
      "Room.CallbackAfterMemberLeave": "onLeave",
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      // @ts-expect-error an object instead of a function
      "Room.CallbackAfterMemberLeave": { handle: leave },
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      "Room.CallbackAfterMemberEnter": (event) =>
        // @ts-expect-error a field the command does not have
        event.Reason,
    },
  });
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: {
      "Mic.CallbackAfterSeatInfoChanged": (event) => {
        // @ts-expect-error an empty seat has no Member_Account: it may be undefined
        const account: string = event.SeatList?.[0]?.Member_Account;
        return account;
      },
    },
  });
  // @ts-expect-error sdkAppId is required
  createCallbackRouter({ handlers: {} });
  // @ts-expect-error handlers is required
  createCallbackRouter({ sdkAppId: 1400000001 });
  // @ts-expect-error sdkAppId is a number or a string of digits
  createCallbackRouter({ sdkAppId: true, handlers: {} });
  // @ts-expect-error timeoutMs is a number of milliseconds
  createCallbackRouter({ sdkAppId: 1400000001, handlers: {}, timeoutMs: "1500" });
  // @ts-expect-error limit is a number of bytes
  createCallbackRouter({ sdkAppId: 1400000001, handlers: {}, limit: "1mb" });
  // @ts-expect-error token is a string or an array of strings
  createCallbackRouter({ sdkAppId: 1400000001, handlers: {}, token: 42 });
  // @ts-expect-error onError is a function
  createCallbackRouter({ sdkAppId: 1400000001, handlers: {}, onError: "log" });
  // @ts-expect-error an unknown option
  createCallbackRouter({ sdkAppId: 1400000001, handlers: {}, timeout: 1500 });
  // @ts-expect-error the factory, not the middleware
  createCallbackRouter(null as unknown as IncomingMessage);
}

/**
 * The tie between a command's interface and its Joi schema: each command
 * module declares `objectSchema<PayloadOf<Event>>({...})`, so a schema key
 * missing, added or of the wrong kind is a compile error. Shown on the leave
 * event with the same field builders the modules use.
 */
export function schemaDrift(): Joi.ObjectSchema[] {
  const base = { Operator_Account: text(), EventTime: integer() };
  const tied = objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...base,
    RoomId: roomId(),
    MemberCount: integer(),
    Type: text(),
    MemberList_Account: accountList(),
    Reason: text(),
  });
  // @ts-expect-error the interface's `Reason` has no schema key
  const missing = objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...base,
    RoomId: roomId(),
    MemberCount: integer(),
    Type: text(),
    MemberList_Account: accountList(),
  });
  const extra = objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...base,
    RoomId: roomId(),
    MemberCount: integer(),
    Type: text(),
    MemberList_Account: accountList(),
    Reason: text(),
    // @ts-expect-error a schema key the interface does not declare
    KickedBy: text(),
  });
  const wrongKind = objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...base,
    // @ts-expect-error a string in the interface, a number in the schema
    RoomId: integer(),
    // @ts-expect-error a number in the interface, a boolean in the schema
    MemberCount: flag(),
    Type: text(),
    // @ts-expect-error a list in the interface, a string in the schema
    MemberList_Account: integer(),
    Reason: text(),
  });
  const optionalWrongKind = objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...base,
    RoomId: roomId(),
    // @ts-expect-error an optional number in the interface, a string in the schema (Joi's own map lets this pass)
    MemberCount: text(),
    Type: text(),
    MemberList_Account: accountList(),
    Reason: text(),
  });
  return [tied, missing, extra, wrongKind, optionalWrongKind];
}

export function registryEntries(): void {
  defineCommand<"Room.CallbackAfterMemberLeave", MemberLeaveEvent>({
    name: "Room.CallbackAfterMemberLeave",
    aliases: [],
    summary: "members left a room",
    docPage: 60734,
    schema: Joi.object<PayloadOf<MemberLeaveEvent>, true>(),
  });
  // @ts-expect-error the definition's name differs from the event's CallbackCommand
  defineCommand<"Room.CallbackAfterMemberEnter", MemberLeaveEvent>({
    name: "Room.CallbackAfterMemberEnter",
    aliases: [],
    summary: "members left a room",
    docPage: 60734,
    schema: Joi.object<PayloadOf<MemberLeaveEvent>, true>(),
  });
  defineCommand<"Room.CallbackAfterMemberLeave", MemberLeaveEvent>({
    name: "Room.CallbackAfterMemberLeave",
    aliases: [],
    summary: "members left a room",
    docPage: 60734,
    // @ts-expect-error the schema of another command's event
    schema: Joi.object<PayloadOf<CreateRoomEvent>, true>(),
  });
}

// The option checker and the options type list the same names: an option added to one only is a compile error.
expectType<Equal<keyof typeof KNOWN_OPTIONS, keyof CallbackOptions>>();
