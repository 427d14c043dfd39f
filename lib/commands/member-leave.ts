import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { accountList, integer, objectSchema, type OpenString, roomId, text } from "./fields";

/** `Room.CallbackAfterMemberLeave`: members left a room, were kicked out, or timed out. */
export interface MemberLeaveEvent extends EventBase<"Room.CallbackAfterMemberLeave"> {
  /** The room left. */
  RoomId: string;
  /** Number of members in the room. */
  MemberCount?: number;
  /** How they left: `Leave` (by themselves), `Kicked` (kicked out), `Expired` (heartbeat expired). */
  Type?: OpenString<"Leave" | "Kicked" | "Expired">;
  /** User IDs of the members who left. */
  MemberList_Account?: string[];
  /** Why they left. */
  Reason?: string;
}

export const memberLeave = defineCommand<"Room.CallbackAfterMemberLeave", MemberLeaveEvent>({
  name: "Room.CallbackAfterMemberLeave",
  aliases: [],
  summary: "members left a room",
  docPage: 60734,
  schema: objectSchema<PayloadOf<MemberLeaveEvent>>({
    ...baseFields(),
    RoomId: roomId(),
    MemberCount: integer(),
    Type: text(),
    MemberList_Account: accountList(),
    Reason: text(),
  }),
});
