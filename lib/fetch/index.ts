/**
 * The Web-standard entry: `(request: Request) => Promise<Response>` for
 * Next.js App Router, Hono, Bun, Deno, Cloudflare Workers and Tencent
 * EdgeOne Functions. Its whole module graph needs only Web APIs: nothing from
 * `node:`, no `Buffer`, no `process`.
 *
 * @example
 * ```ts
 * import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";
 * export const POST = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers: {} });
 * ```
 *
 * @packageDocumentation
 */
export { createCallbackFetchHandler, type CallbackFetchHandler } from "../adapters/fetch";
export { COMMAND_NAMES, type CallbackCommand, type CallbackEvent } from "../commands/registry";
export type { CreateRoomEvent } from "../commands/create-room";
export type { DestroyRoomEvent } from "../commands/destroy-room";
export type { UpdateRoomInfoEvent } from "../commands/update-room-info";
export type { MemberEnterEvent } from "../commands/member-enter";
export type { MemberLeaveEvent } from "../commands/member-leave";
export type { SeatInfoChangedEvent, SeatInfo } from "../commands/seat-info-changed";
export type { RoomInfo, RoomStatus, RoomType, TakeSeatMode } from "../commands/room-info";
export type { EventBase } from "../commands/define-command";
export type { OpenString } from "../commands/fields";
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
} from "../core/errors";
export { ConfigurationError } from "../core/options";
export type { Ack } from "../protocol/ack";
export type {
  CallbackContext,
  CallbackFailureInfo,
  CallbackHandler,
  CallbackHandlers,
  CallbackOptions,
  CallbackRequestInfo,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "../core/types";
