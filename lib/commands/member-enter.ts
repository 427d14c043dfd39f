import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { accountList, integer, objectSchema, type OpenString, roomId, text } from "./fields";

/** `Room.CallbackAfterMemberEnter`: members entered a room. */
export interface MemberEnterEvent extends EventBase<"Room.CallbackAfterMemberEnter"> {
  /** The room entered. */
  RoomId: string;
  /** Number of members in the room. */
  MemberCount?: number;
  /** How they entered: `Enter` (by themselves). */
  Type?: OpenString<"Enter">;
  /** User IDs of the members who entered. */
  MemberList_Account?: string[];
}

export const memberEnter = defineCommand<"Room.CallbackAfterMemberEnter", MemberEnterEvent>({
  name: "Room.CallbackAfterMemberEnter",
  aliases: [],
  summary: "members entered a room",
  docPage: 60735,
  schema: objectSchema<PayloadOf<MemberEnterEvent>>({
    ...baseFields(),
    RoomId: roomId(),
    MemberCount: integer(),
    Type: text(),
    MemberList_Account: accountList(),
  }),
});
