export { createCallbackRouter } from "./express";
export { COMMAND_NAMES, type CallbackCommand, type CallbackEvent } from "./commands/registry";
export type { CreateRoomEvent } from "./commands/create-room";
export type { DestroyRoomEvent } from "./commands/destroy-room";
export type { UpdateRoomInfoEvent } from "./commands/update-room-info";
export type { MemberEnterEvent } from "./commands/member-enter";
export type { MemberLeaveEvent } from "./commands/member-leave";
export type { SeatInfoChangedEvent, SeatInfo } from "./commands/seat-info-changed";
export type { RoomInfo, RoomStatus, RoomType, TakeSeatMode } from "./commands/room-info";
export type { EventBase } from "./commands/define-command";
export type { OpenString } from "./commands/fields";
export {
  CallbackError,
  ErrorCodes,
  HandlerError,
  HandlerTimeoutError,
  InternalError,
  InvalidEventError,
  RequestAbortedError,
  RequestRejectedError,
  SdkAppIdError,
  SignatureError,
  TrtcCallbackError,
  type ErrorCode,
  type FailureDetails,
} from "./errors";
export { ConfigurationError } from "./options";
export { sign } from "./signature";
export type { Ack } from "./ack";
export type {
  CallbackContext,
  CallbackHandler,
  CallbackHandlers,
  CallbackRouterOptions,
  CallbackRequestInfo,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "./types";
