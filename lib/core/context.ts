import type { CallbackCommand } from "../commands/registry";
import type { Deadline } from "./deadline";
import type { CallbackRequestInfo } from "./types";

/**
 * A handler's context: the request info, plus the deadline's `signal`,
 * created on first use (most handlers never look). `signal` is a getter on
 * the class, not an own property: an own lazy property costs about 1 µs a
 * request (measured with bench/stages.mjs), so `{ ...context }` leaves it out.
 */
export class HandlerContext<Req> implements CallbackRequestInfo<Req> {
  readonly request: Req;
  readonly sdkAppId: string;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  readonly #deadline: Deadline;

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
    this.#deadline = deadline;
  }

  get signal(): AbortSignal {
    return this.#deadline.signal;
  }
}
