/**
 * The one callback every receiver answers: a `Room.CallbackAfterMemberEnter`
 * as Tencent sends it, query string included.
 */
export const SDK_APP_ID = 1400000001;

export const PATH =
  "/trtc?SdkAppid=1400000001&CallbackCommand=Room.CallbackAfterMemberEnter" +
  "&contenttype=json&ClientIP=203.0.113.24&OptPlatform=Web";

export const BODY = JSON.stringify({
  CallbackCommand: "Room.CallbackAfterMemberEnter",
  Operator_Account: "user_7f3c9a21",
  RoomId: "room-20261122-0930-standup",
  MemberCount: 12,
  Type: "Enter",
  MemberList_Account: ["user_7f3c9a21", "user_b81d4e07", "user_c0ffee42"],
  EventTime: 1763801234567,
});

export const ACK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

export const HEADERS = { "content-type": "application/json" };
