import {
  CallbackError,
  type CallbackCommand as CallbackCommandName,
  type CallbackHandler,
  type CallbackOptions,
} from "../../lib/fetch";

/**
 * The app every adapter serves in the conformance table: one handler for
 * every command whose behaviour the event's `Operator_Account` chooses, and
 * a recorder of handler calls and `onError` reports. Imports only the fetch
 * entry, so esbuild can bundle it for Deno, Bun and workerd.
 */

export const SDK_APP_ID = 1400000001;
export const TOKEN = "conformance-token";
export const TIMEOUT_MS = 600;
export const LIMIT = 4096;

/** One handler call as recorded. */
export interface Call {
  command: string;
  operator: string;
  /** The first seat's `Member_Account`, for the lossless-ID case. */
  member?: unknown;
  /** `"own"` when `context.request` is the transport's own request type. */
  request: string;
  /** Set for a handler that waited for its deadline: whether `context.signal` was aborted. */
  aborted?: boolean;
}

/** One `onError` report as recorded. */
export interface Report {
  code: number;
  rawBody?: string | undefined;
}

export interface Records {
  calls: Call[];
  errors: Report[];
}

/** What the handler does, by `Operator_Account`. */
export const BEHAVIOURS = {
  ok: "user1",
  callbackError: "callback-error",
  throws: "throws",
  hangs: "hangs",
} as const;

export const CALLBACK_ERROR_CODE = 4321;

/**
 * The options every adapter gets. `isOwn` tells whether a request object is
 * the transport's own type (`IncomingMessage`, `Request`, …).
 */
export function conformanceOptions<Req>(
  isOwn: (request: Req) => boolean,
  records: Records,
): CallbackOptions<Req> {
  const run = (
    event: Record<string, unknown>,
    context: { command: string; request: Req; signal: AbortSignal },
  ): Promise<void> | undefined => {
    const operator = String(event["Operator_Account"]);
    const seat = (event["SeatList"] as { Member_Account?: unknown }[] | undefined)?.[0];
    const call: Call = {
      command: context.command,
      operator,
      ...(seat === undefined ? {} : { member: seat.Member_Account }),
      request: isOwn(context.request) ? "own" : describe(context.request),
    };
    records.calls.push(call);
    if (operator === BEHAVIOURS.throws) throw new Error("the database is down");
    if (operator === BEHAVIOURS.callbackError) {
      throw new CallbackError("seat sync failed", { code: CALLBACK_ERROR_CODE });
    }
    if (operator === BEHAVIOURS.hangs) {
      return new Promise<void>((resolve) =>
        context.signal.addEventListener("abort", () => {
          call.aborted = context.signal.aborted;
          resolve();
        }),
      );
    }
    return undefined;
  };
  const handler =
    <C extends CallbackCommandName>(): CallbackHandler<C, Req> =>
    (event, context) =>
      run(event as unknown as Record<string, unknown>, context);
  return {
    sdkAppId: SDK_APP_ID,
    token: TOKEN,
    timeoutMs: TIMEOUT_MS,
    limit: LIMIT,
    handlers: {
      "Room.CallbackAfterCreateRoom": handler(),
      "Room.CallbackAfterDestroyRoom": handler(),
      "Room.CallbackAfterUpdateRoomInfo": handler(),
      "Room.CallbackAfterMemberEnter": handler(),
      "Room.CallbackAfterMemberLeave": handler(),
      "Mic.CallbackAfterSeatInfoChanged": handler(),
    },
    onError: (error, info) => {
      records.errors.push({ code: error.code, rawBody: info.rawBody });
    },
  };
}

function describe(request: unknown): string {
  if (request === null || typeof request !== "object") return typeof request;
  return `another type: ${request.constructor.name}`;
}
