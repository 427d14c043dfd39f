/**
 * Tencent's REST API for the Room callback configuration, and the UserSig
 * that signs it.
 *
 * @example
 * ```ts
 * import { createRoomConfigClient, genUserSig, TencentApiError } from "trtc-room-callbacks/rest";
 * ```
 *
 * @packageDocumentation
 */
export {
  createRoomConfigClient,
  type CallbackConfiguration,
  type RoomConfigClient,
  type SetCallbackOptions,
  type SetCallbackResult,
} from "./client";
export type { RoomConfigClientOptions } from "./options";
export { genUserSig, type UserSigOptions } from "./user-sig";
export { TencentApiError, TencentRequestError, type RestCallInfo } from "./tencent-api-error";
export { REGIONS, REGION_NAMES, type Region } from "./regions";
