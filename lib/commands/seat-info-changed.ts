import { baseFields, defineCommand, type EventBase, type PayloadOf } from "./define-command";
import { account, flag, integer, list, objectSchema, roomId } from "./fields";

/** One seat of a room's seat list. */
export interface SeatInfo {
  /** Seat number. */
  Index?: number;
  /** User ID on the seat; absent when the seat is empty (Tencent sends nothing, `""` or `null`). */
  Member_Account?: string;
  /** Whether the seat is locked. */
  IsTakenDisabled?: boolean;
  /** Whether video from the seat is disabled. */
  IsVideoDisabled?: boolean;
  /** Whether audio from the seat is disabled. */
  IsAudioDisabled?: boolean;
}

/** `Mic.CallbackAfterSeatInfoChanged`: a room's seat list changed (a member took or left a seat, a seat was locked). */
export interface SeatInfoChangedEvent extends EventBase<"Mic.CallbackAfterSeatInfoChanged"> {
  /** The room whose seats changed. */
  RoomId: string;
  /** The seats after the change. */
  SeatList?: SeatInfo[];
}

const seatSchema = objectSchema<SeatInfo>({
  Index: integer(),
  Member_Account: account({ emptyIsAbsent: true }),
  IsTakenDisabled: flag(),
  IsVideoDisabled: flag(),
  IsAudioDisabled: flag(),
});

export const seatInfoChanged = defineCommand<"Mic.CallbackAfterSeatInfoChanged", SeatInfoChangedEvent>({
  name: "Mic.CallbackAfterSeatInfoChanged",
  aliases: [],
  summary: "a room's seat list changed",
  docPage: 60736,
  schema: objectSchema<PayloadOf<SeatInfoChangedEvent>>({
    ...baseFields(),
    RoomId: roomId(),
    SeatList: list(seatSchema),
  }),
});
