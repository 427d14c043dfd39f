import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { accountList, objectSchema } from "./fields";
import { roomInfoSchema, type RoomInfo } from "./room-info";

/** `Room.CallbackAfterCreateRoom`: a room was created, by a client or through the REST API. */
export interface CreateRoomEvent extends EventBase<"Room.CallbackAfterCreateRoom"> {
  /** The new room's settings. */
  RoomInfo: RoomInfo;
  /** User IDs invited to a scheduled room. */
  ScheduleInviteeList_Account?: string[];
}

export const createRoom = defineCommand<"Room.CallbackAfterCreateRoom", CreateRoomEvent>({
  name: "Room.CallbackAfterCreateRoom",
  aliases: [],
  summary: "a room was created",
  docPage: 60733,
  schema: objectSchema<PayloadOf<CreateRoomEvent>>({
    ...baseFields(),
    RoomInfo: roomInfoSchema,
    ScheduleInviteeList_Account: accountList(),
  }),
});
