/** The acknowledgement Tencent expects for every callback. */
export interface Ack {
  /** `OK` when the event was handled, `FAIL` otherwise. */
  ActionStatus: "OK" | "FAIL";
  /** 0 for OK; otherwise one of the documented codes or a handler's own. */
  ErrorCode: number;
  /** Empty for OK; otherwise what went wrong. */
  ErrorInfo: string;
}

/** The OK acknowledgement; frozen, shared by every request. */
export const OK_ACK: Readonly<Ack> = Object.freeze({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });

/** The OK acknowledgement as the JSON text every transport sends. */
export const OK_ACK_JSON = JSON.stringify(OK_ACK);

/** The media type of every acknowledgement. */
export const ACK_CONTENT_TYPE = "application/json; charset=utf-8";

/** A FAIL acknowledgement. */
export function failAck(code: number, info: string): Ack {
  return { ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: info };
}
