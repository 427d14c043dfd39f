export { createCallbackRouter } from "./adapters/express";
export { createCallbackListener } from "./adapters/node/listener";
export { COMMAND_NAMES, type CallbackCommand, type CallbackEvent } from "./commands/registry";
export type { CreateRoomEvent } from "./commands/create-room";
export type { DestroyRoomEvent } from "./commands/destroy-room";
export type { UpdateRoomInfoEvent } from "./commands/update-room-info";
export type { MemberEnterEvent } from "./commands/member-enter";
export type { MemberLeaveEvent } from "./commands/member-leave";
export type { SeatInfoChangedEvent, SeatInfo } from "./commands/seat-info-changed";
export type { RoomInfo, RoomStatus, RoomType, TakeSeatMode } from "./commands/room-info";
export type { EventBase } from "./commands/define-command";
export { MAX_LIST_LENGTH, type OpenString } from "./commands/fields";
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
} from "./core/errors";
export { ConfigurationError } from "./core/options";
export { sign } from "./protocol/sign";
export type { Ack } from "./protocol/ack";
export type {
  CallbackContext,
  CallbackFailureInfo,
  CallbackHandler,
  CallbackHandlers,
  CallbackOptions,
  CallbackRouterOptions,
  CallbackRequestInfo,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "./core/types";
export {
  TRACE_CHANNELS,
  type HandledBy,
  type HandlerOutcome,
  type HandlerTraceMessage,
  type RequestTraceMessage,
  type TraceAdapterName,
} from "./core/trace";
