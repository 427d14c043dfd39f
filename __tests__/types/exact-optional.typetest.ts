import { sampleEvent } from "../../lib/testing";

// Compiled twice: by `tsc -p .` and, with exactOptionalPropertyTypes, by
// tsconfig.exact-optional.json (`npm run typecheck` runs both). Under that flag
// an optional field does not take `undefined` unless its type says so.

export function removeFields(): void {
  // `undefined` removes a field, as the README says.
  sampleEvent("Room.CallbackAfterMemberLeave", { Reason: undefined });
  sampleEvent("Room.CallbackAfterMemberEnter", { MemberList_Account: undefined, EventTime: undefined });
  sampleEvent("Room.CallbackAfterCreateRoom", { RoomInfo: { CustomInfo: undefined } });
  sampleEvent("Mic.CallbackAfterSeatInfoChanged", { Operator_Account: undefined });

  // @ts-expect-error still a field of the wrong type
  sampleEvent("Room.CallbackAfterMemberLeave", { Reason: 42 });
  // @ts-expect-error still a field the command does not have
  sampleEvent("Room.CallbackAfterMemberEnter", { Reason: undefined });
}
