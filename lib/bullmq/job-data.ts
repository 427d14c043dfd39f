import { createHash } from "node:crypto";
import type { CallbackCommand, CallbackEvent } from "../index";

/**
 * What one job carries: the validated, normalised event as the router passed
 * it to its handler (18-digit IDs already exact strings, so the JSON that
 * BullMQ stores keeps them exact), and what the worker's context needs.
 */
export interface CallbackJobData<C extends CallbackCommand = CallbackCommand> {
  /** The canonical command. */
  readonly command: C;
  /** `CallbackCommand` as received: the canonical name or an older spelling. */
  readonly receivedCommand: string;
  /** The query's `SdkAppid`. */
  readonly sdkAppId: string;
  /** The query's `ClientIP`, when it had one. */
  readonly clientIp?: string | undefined;
  /** The query's `OptPlatform`, when it had one. */
  readonly optPlatform?: string | undefined;
  /** The query's `RequestTime` (Unix seconds), when callback authentication is on. */
  readonly requestTime?: number | undefined;
  /** When the router received the callback, Unix time in milliseconds. */
  readonly receivedAt: number;
  /** The event, as the router's handler received it. */
  readonly event: CallbackEvent<C>;
}

/**
 * The job id of an event: `trtc-` and 40 hex digits of SHA-256 over the
 * SdkAppid, the canonical command and the event's JSON. The same callback
 * delivered twice has the same id, so BullMQ keeps one job.
 *
 * @example
 * ```ts
 * callbackJobId("1400000001", "Room.CallbackAfterDestroyRoom", { CallbackCommand: "Room.CallbackAfterDestroyRoom", RoomId: "r1" });
 * // "trtc-…"
 * ```
 */
export function callbackJobId(sdkAppId: string, command: CallbackCommand, event: object): string {
  const digest = createHash("sha256")
    .update(`${sdkAppId}\n${command}\n`)
    .update(JSON.stringify(event))
    .digest("hex");
  return `trtc-${digest.slice(0, 40)}`;
}

/**
 * The room an event is about: `RoomId`, or `RoomInfo.RoomId` for the
 * create and update commands. `undefined` only for an event without one,
 * which validation already refuses.
 */
export function roomIdOf(event: object): string | undefined {
  const direct = (event as { RoomId?: unknown }).RoomId;
  if (typeof direct === "string") return direct;
  const info = (event as { RoomInfo?: { RoomId?: unknown } }).RoomInfo;
  return typeof info?.RoomId === "string" ? info.RoomId : undefined;
}
