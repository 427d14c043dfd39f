import { objectSchema } from "./fields";
import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { roomInfoSchema, type RoomInfo } from "./room-info";

/** `Room.CallbackAfterUpdateRoomInfo` (older spelling `Room.CallbackUpdateRoomInfo`): a room's settings changed. */
export interface UpdateRoomInfoEvent extends EventBase<"Room.CallbackAfterUpdateRoomInfo"> {
  /** The room's settings after the change; fields that did not change may be absent. */
  RoomInfo: RoomInfo;
}

export const updateRoomInfo = defineCommand<"Room.CallbackAfterUpdateRoomInfo", UpdateRoomInfoEvent>({
  name: "Room.CallbackAfterUpdateRoomInfo",
  // The Query Callback Configuration sample returns this spelling.
  aliases: ["Room.CallbackUpdateRoomInfo"],
  summary: "a room's settings changed",
  docPage: 60731,
  schema: objectSchema<PayloadOf<UpdateRoomInfoEvent>>({
    ...baseFields(),
    RoomInfo: roomInfoSchema,
  }),
});
