import { account, flag, integer, objectSchema, type OpenString, roomId, text } from "./fields";

/** Kind of room: `Meeting` in the callback samples, `Conference` in the REST API, `Live` in the sibling product. */
export type RoomType = OpenString<"Meeting" | "Conference" | "Live">;
/** State of a scheduled room. */
export type RoomStatus = OpenString<"None" | "NotStarted" | "Running">;
/** How members take a seat. */
export type TakeSeatMode = OpenString<"None" | "FreeToTake" | "ApplyToTake">;

/** A room's settings, as sent in `Room.CallbackAfterCreateRoom` and `Room.CallbackAfterUpdateRoomInfo`. */
export interface RoomInfo {
  /** Room ID. Always present. */
  RoomId: string;
  /** Room name. */
  RoomName?: string;
  /** Kind of room. */
  RoomType?: RoomType;
  /** User ID of the owner. */
  Owner_Account?: string;
  /** Maximum number of members. */
  MaxMemberCount?: number;
  /** Maximum number of seats. */
  MaxSeatCount?: number;
  /** Whether all members' video is disabled. */
  IsVideoDisabled?: boolean;
  /** Whether all members' audio is disabled. */
  IsAudioDisabled?: boolean;
  /** Whether all members' messages are disabled. */
  IsMessageDisabled?: boolean;
  /** Whether screen sharing is disabled. */
  IsScreenSharingDisabled?: boolean;
  /** Whether cloud recording is disabled. */
  IsCloudRecordingDisabled?: boolean;
  /** App-defined data attached to the room. */
  CustomInfo?: string;
  /** Scheduled start, Unix time in **seconds**. */
  ScheduleStartTime?: number;
  /** Scheduled end, Unix time in **seconds**. */
  ScheduleEndTime?: number;
  /** State of a scheduled room. */
  RoomStatus?: RoomStatus;
  /** Whether the room has seats. */
  IsSeatEnabled?: boolean;
  /** How members take a seat. */
  TakeSeatMode?: TakeSeatMode;
  /** Creation time, Unix time in **seconds**. */
  CreateTime?: number;
}

export const roomInfoSchema = objectSchema<RoomInfo>(
  {
    RoomId: roomId(),
    RoomName: text(),
    RoomType: text(),
    Owner_Account: account(),
    MaxMemberCount: integer(),
    MaxSeatCount: integer(),
    IsVideoDisabled: flag(),
    IsAudioDisabled: flag(),
    IsMessageDisabled: flag(),
    IsScreenSharingDisabled: flag(),
    IsCloudRecordingDisabled: flag(),
    CustomInfo: text(),
    ScheduleStartTime: integer(),
    ScheduleEndTime: integer(),
    RoomStatus: text(),
    IsSeatEnabled: flag(),
    TakeSeatMode: text(),
    CreateTime: integer(),
  },
  { required: true },
);
