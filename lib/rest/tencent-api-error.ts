import { HINTS } from "./hints";

/** Where and what a REST call was. */
export interface RestCallInfo {
  /** The REST command, such as `"set_callback"`. */
  api: string;
  /** The host it went to, such as `"console.tim.qq.com"`. */
  host: string;
}

/**
 * Tencent's REST API answered, and said no: its `ErrorCode` was not 0. The
 * message says what the code means and what to do where that is known.
 *
 * @example
 * ```ts
 * try {
 *   await tencent.setCallback({ url: "https://your.host/trtc" });
 * } catch (error) {
 *   if (error instanceof TencentApiError && error.code === 70009) rotateTheKey();
 *   throw error;
 * }
 * ```
 */
export class TencentApiError extends Error {
  /** Tencent's `ErrorCode`, such as `70001`. */
  readonly code: number;
  /** Tencent's `ErrorInfo`, as it sent it. */
  readonly info: string;
  /** Tencent's `RequestId`: quote it to Tencent's support. Empty when the answer had none. */
  readonly requestId: string;
  /** What to do about {@link code}, when known. */
  readonly hint: string | undefined;
  /** The REST command, such as `"set_callback"`. */
  readonly api: string;
  /** The host that answered. */
  readonly host: string;

  constructor(answer: { code: number; info: string; requestId: string }, call: RestCallInfo) {
    const hint = Object.hasOwn(HINTS, answer.code) ? HINTS[answer.code] : undefined;
    const request = answer.requestId === "" ? "" : ` (RequestId ${answer.requestId})`;
    super(
      `Tencent's ${call.api} at ${call.host} failed with ${answer.code} ${JSON.stringify(answer.info)}${request}${hint ? `: ${hint}` : ""}`,
    );
    this.name = this.constructor.name;
    this.code = answer.code;
    this.info = answer.info;
    this.requestId = answer.requestId;
    this.hint = hint;
    this.api = call.api;
    this.host = call.host;
  }
}

/**
 * Tencent's REST API could not be asked: the host was unreachable, did not
 * answer in time, or answered something other than HTTP 200 with a JSON
 * result. The message names the host.
 */
export class TencentRequestError extends Error {
  /** The REST command, such as `"get_callback"`. */
  readonly api: string;
  /** The host it tried. */
  readonly host: string;
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;

  constructor(message: string, call: RestCallInfo, status?: number) {
    super(message);
    this.name = this.constructor.name;
    this.api = call.api;
    this.host = call.host;
    this.status = status;
  }
}
