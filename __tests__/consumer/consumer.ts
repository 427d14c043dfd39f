// Installed from the packed tarball: type-checked (never run) under moduleResolution node16 and bundler.
import express from "express";
import {
  createCallbackRouter,
  CallbackError,
  type CallbackContext,
  type CallbackEvent,
  type CallbackHandler,
  type CallbackHandlers,
} from "trtc-room-callbacks";
import {
  callbackQuery,
  createCallbackTester,
  sampleEvent,
  sign,
  type CallbackTestResult,
} from "trtc-room-callbacks/testing";

const onLeave: CallbackHandler<"Room.CallbackAfterMemberLeave"> = (event, context) => {
  const room: string = event.RoomId;
  const kicked: boolean = event.Type === "Kicked";
  const members: string[] = event.MemberList_Account ?? [];
  const command: "Room.CallbackAfterMemberLeave" = context.command;
  return [room, kicked, members, command];
};
const handlers: CallbackHandlers = {
  "Room.CallbackAfterMemberLeave": onLeave,
  "Mic.CallbackAfterSeatInfoChanged": (event) => {
    const account: string | undefined = event.SeatList?.[0]?.Member_Account;
    if (account === undefined) throw new CallbackError("empty seat", { code: 4321 });
  },
};

const app = express();
app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, token: "t0k3n", handlers }));
app.use(
  "/inline",
  createCallbackRouter({
    sdkAppId: "1400000001",
    handlers: {
      "Room.CallbackAfterMemberEnter": (
        event,
        context: CallbackContext<"Room.CallbackAfterMemberEnter", express.Request>,
      ) => context.request.get("user-agent") ?? event.RoomId,
    },
  }),
);

const event: CallbackEvent<"Room.CallbackAfterCreateRoom"> = sampleEvent("Room.CallbackAfterCreateRoom", {
  RoomInfo: { RoomName: "standup" },
});
const query: Record<string, string> = callbackQuery({
  sdkAppId: 1400000001,
  command: "Room.CallbackAfterMemberEnter",
  token: "t0k3n",
});
const signature: string = sign("t0k3n", 1669872112);

export async function check(): Promise<
  CallbackTestResult<CallbackEvent<"Room.CallbackAfterMemberLeave">, unknown>
> {
  const tester = createCallbackTester({ sdkAppId: 1400000001, handlers });
  const result = await tester.send(
    "Room.CallbackAfterMemberLeave",
    sampleEvent("Room.CallbackAfterMemberLeave"),
  );
  const ok: boolean = result.ok;
  const code: number = result.ack.ErrorCode;
  return ok && code === 0 ? result : result;
}

// `undefined` removes a field, also under exactOptionalPropertyTypes (tsconfig.bundler.json sets it).
sampleEvent("Room.CallbackAfterMemberLeave", { Reason: undefined, RoomId: "r1" });

// The types are real, not `any`: each misuse below must be an error.
// @ts-expect-error a misspelt command
createCallbackRouter({ sdkAppId: 1, handlers: { "Room.CallbackAfterMemberLeft": onLeave } });
// @ts-expect-error a handler typed with another command's event
createCallbackRouter({ sdkAppId: 1, handlers: { "Room.CallbackAfterMemberEnter": onLeave } });
// @ts-expect-error an override of the wrong type
sampleEvent("Room.CallbackAfterMemberEnter", { RoomId: 42 });

export { app, event, query, signature };
