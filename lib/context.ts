import type { CallbackCommand } from "./commands/registry";
import type { Deadline } from "./deadline";
import type { CallbackRequestInfo } from "./types";

/**
 * A handler's context: the request info, plus the deadline's `signal`,
 * created on first use (most handlers never look) yet an own enumerable
 * property, so `{ ...context }` keeps it.
 */
export class HandlerContext<Req> implements CallbackRequestInfo<Req> {
  readonly request: Req;
  readonly sdkAppId: string;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  declare readonly signal: AbortSignal;

  constructor(
    info: CallbackRequestInfo<Req>,
    readonly receivedCommand: string,
    readonly command: CallbackCommand | undefined,
    deadline: Deadline,
  ) {
    this.request = info.request;
    this.sdkAppId = info.sdkAppId ?? "";
    this.clientIp = info.clientIp;
    this.optPlatform = info.optPlatform;
    this.requestTime = info.requestTime;
    Object.defineProperty(this, "signal", { get: () => deadline.signal, enumerable: true });
  }
}
