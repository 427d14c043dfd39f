import type { CallbackCommand, CallbackEvent } from "../commands/registry";

/**
 * One event per command, as a handler receives it: the sample requests of
 * Tencent's callback pages (https://trtc.io/document/60731-60736), after the
 * router's normalisation (the seat sample's bare 18-digit `Member_Account` as
 * its exact string, the update sample's `"false"` as a boolean). Keyed by the
 * registry's command union, so a command added there without a sample here is
 * a compile error.
 */
export const SAMPLE_EVENTS: { readonly [C in CallbackCommand]: CallbackEvent<C> } = {
  "Room.CallbackAfterCreateRoom": {
    CallbackCommand: "Room.CallbackAfterCreateRoom",
    Operator_Account: "admin",
    RoomInfo: {
      RoomId: "tandy-test-rest",
      RoomName: "tandy-test-rest",
      RoomType: "Meeting",
      Owner_Account: "user3",
      MaxMemberCount: 300,
      MaxSeatCount: 16,
      IsVideoDisabled: true,
      IsAudioDisabled: true,
      IsMessageDisabled: true,
      IsScreenSharingDisabled: true,
      IsCloudRecordingDisabled: true,
      CustomInfo: "custom123",
      ScheduleStartTime: 1703589922,
      ScheduleEndTime: 1703593522,
      RoomStatus: "Running",
      IsSeatEnabled: true,
      TakeSeatMode: "ApplyToTake",
      CreateTime: 1703589922,
    },
    ScheduleInviteeList_Account: ["user2", "user3", "user3"],
    EventTime: 1703589922780,
  },
  "Room.CallbackAfterDestroyRoom": {
    CallbackCommand: "Room.CallbackAfterDestroyRoom",
    Operator_Account: "admin",
    RoomId: "tandy-test-rest",
    EventTime: 1703589922780,
  },
  "Room.CallbackAfterUpdateRoomInfo": {
    CallbackCommand: "Room.CallbackAfterUpdateRoomInfo",
    Operator_Account: "bob",
    RoomInfo: {
      RoomId: "rid-123",
      RoomName: "rname-123",
      Owner_Account: "jack",
      TakeSeatMode: "FreeToTake",
      MaxMemberCount: 300,
      IsVideoDisabled: false,
      IsAudioDisabled: false,
      IsMessageDisabled: false,
      IsScreenSharingDisabled: false,
      IsCloudRecordingDisabled: false,
      CustomInfo: "custom-info",
    },
    EventTime: 1670574414123,
  },
  "Room.CallbackAfterMemberEnter": {
    CallbackCommand: "Room.CallbackAfterMemberEnter",
    Operator_Account: "user1",
    RoomId: "rid-123",
    MemberCount: 20,
    Type: "Enter",
    MemberList_Account: ["user1"],
    EventTime: 1670574414123,
  },
  "Room.CallbackAfterMemberLeave": {
    CallbackCommand: "Room.CallbackAfterMemberLeave",
    Operator_Account: "user1",
    RoomId: "rid-123",
    MemberCount: 20,
    Type: "Leave",
    MemberList_Account: ["user1"],
    Reason: "xxxx",
    EventTime: 1670574414123,
  },
  "Mic.CallbackAfterSeatInfoChanged": {
    CallbackCommand: "Mic.CallbackAfterSeatInfoChanged",
    Operator_Account: "user1",
    RoomId: "rid-123",
    SeatList: [
      {
        Index: 1,
        Member_Account: "144115233775727695",
        IsTakenDisabled: false,
        IsVideoDisabled: false,
        IsAudioDisabled: false,
      },
    ],
    EventTime: 1670574414123,
  },
};
