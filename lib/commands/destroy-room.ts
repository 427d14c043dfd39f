import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { objectSchema, roomId } from "./fields";

/** `Room.CallbackAfterDestroyRoom`: a room was destroyed. */
export interface DestroyRoomEvent extends EventBase<"Room.CallbackAfterDestroyRoom"> {
  /** The destroyed room. */
  RoomId: string;
}

export const destroyRoom = defineCommand<"Room.CallbackAfterDestroyRoom", DestroyRoomEvent>({
  name: "Room.CallbackAfterDestroyRoom",
  aliases: [],
  summary: "a room was destroyed",
  docPage: 60732,
  schema: objectSchema<PayloadOf<DestroyRoomEvent>>({
    ...baseFields(),
    RoomId: roomId(),
  }),
});
