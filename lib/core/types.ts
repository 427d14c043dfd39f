import type { IncomingMessage } from "node:http";
import type { CallbackCommand, CallbackEvent } from "../commands/registry";
import type { TrtcCallbackError } from "./errors";

/**
 * What the router knows about a request: everything a handler's context has
 * but the deadline. Passed to `onError`, where some fields may be missing
 * because the request failed before they were known.
 *
 * @typeParam Req - the transport's request type: `express.Request` for the Express router,
 * `IncomingMessage` for the `node:http` listener, `Request` for the fetch handler,
 * `FastifyRequest` for the Fastify plugin.
 */
export interface CallbackRequestInfo<Req = IncomingMessage> {
  /** The canonical command, once known. */
  readonly command?: CallbackCommand | undefined;
  /** `CallbackCommand` as received (query first, then body), once known; may be an older spelling or an unknown command. */
  readonly receivedCommand?: string | undefined;
  /** The query's `SdkAppid`, as received. */
  readonly sdkAppId?: string | undefined;
  /** The query's `ClientIP`: the client's address, or a `0.0.0.0`-like value for REST-triggered events. */
  readonly clientIp?: string | undefined;
  /** The query's `OptPlatform` (`RESTAPI`, `Web`, `Android`, `iOS`, …), never checked against a list. */
  readonly optPlatform?: string | undefined;
  /** The query's `RequestTime` in Unix **seconds**, when callback authentication is on. */
  readonly requestTime?: number | undefined;
  /** The transport's request object. */
  readonly request: Req;
}

/**
 * The second argument of `onError`: what the router knew about the request
 * when it failed. Errors are never changed once made, so this travels beside
 * the error.
 */
export interface CallbackFailureInfo<Req = IncomingMessage> extends CallbackRequestInfo<Req> {
  /**
   * The body as received, cut to `rawBodyCap` characters, so an app can log
   * or replay the event (`trtc-room-callbacks send --file`). For a body that
   * an earlier middleware parsed, a re-serialisation of what it parsed.
   * `undefined` when the failure came before the body was read.
   */
  readonly rawBody?: string | undefined;
}

/**
 * The second argument of every handler.
 *
 * @typeParam C - the command being handled.
 * @typeParam Req - the framework's request type.
 */
export interface CallbackContext<
  C extends CallbackCommand = CallbackCommand,
  Req = IncomingMessage,
> extends CallbackRequestInfo<Req> {
  /** The canonical command, also in `event.CallbackCommand`. */
  readonly command: C;
  /** `CallbackCommand` as received: the canonical name or an older spelling. */
  readonly receivedCommand: string;
  /** The query's `SdkAppid`: always this router's. */
  readonly sdkAppId: string;
  /**
   * Aborted when the deadline (`timeoutMs`) passes, as the FAIL ack is
   * being sent: nothing the handler does after that changes the answer. Pass
   * it to `fetch`, database drivers and timers so their work stops too.
   * Created on first use by a getter, so `{ ...context }` does not copy it:
   * pass `context` itself or `context.signal`.
   */
  readonly signal: AbortSignal;
}

/**
 * Handles one command. Resolve (or return) to ack OK; throw or reject to ack
 * FAIL, with a {@link CallbackError} to choose `ErrorCode` and `ErrorInfo`.
 */
export type CallbackHandler<C extends CallbackCommand = CallbackCommand, Req = IncomingMessage> = (
  event: CallbackEvent<C>,
  context: CallbackContext<C, Req>,
) => unknown;

/** Handlers keyed by canonical command; every key optional. */
export type CallbackHandlers<Req = IncomingMessage> = {
  [C in CallbackCommand]?: CallbackHandler<C, Req>;
};

/** A body whose `CallbackCommand` is not one of the six known commands: parsed, not validated. */
export interface UnknownCallbackEvent {
  /** The command as received. */
  CallbackCommand: string;
  /** The rest of the body, as parsed. */
  [field: string]: unknown;
}

/** The context of {@link CallbackOptions.onUnknownCommand}. */
export interface UnknownCommandContext<Req = IncomingMessage> extends CallbackRequestInfo<Req> {
  /** The command as received. */
  readonly receivedCommand: string;
  /** The query's `SdkAppid`: always this router's. */
  readonly sdkAppId: string;
  /** Aborted when the deadline passes. */
  readonly signal: AbortSignal;
}

/**
 * Options of every entry: `createCallbackRouter` (Express),
 * `createCallbackListener` (`node:http`), `createCallbackFetchHandler`
 * (Web `Request`) and the Fastify plugin.
 *
 * @typeParam Req - the transport's request type, handed to handlers as `context.request`.
 */
export interface CallbackOptions<Req = IncomingMessage> {
  /**
   * Your app's SDKAppID. Requests whose `SdkAppid` query parameter differs are
   * rejected with 403, as Tencent's docs require. Required.
   *
   * @example 1400000001
   */
  sdkAppId: number | string;
  /**
   * One handler per command you care about, in a plain object keyed by the
   * canonical command name (not a `Map`); commands without a handler are
   * acked OK unvalidated. Required (may be `{}` while you start).
   */
  handlers: CallbackHandlers<Req>;
  /**
   * The callback authentication token set on Tencent's side. When given,
   * every request must carry a valid `Sign` and a `RequestTime` within 60 s
   * of now, or it is rejected with 401. Pass several to rotate tokens. An
   * empty token, or one with leading or trailing whitespace, is refused;
   * `undefined` (an unset environment variable) turns the checks off.
   *
   * @defaultValue none: signatures are not checked
   */
  token?: string | readonly string[] | undefined;
  /**
   * Refuse to start without a token: the factory throws a
   * `ConfigurationError` when `token` is missing or empty, so an unset
   * environment variable cannot silently turn signature checks off.
   *
   * @defaultValue false
   */
  requireToken?: boolean | undefined;
  /**
   * Milliseconds from when the request reaches the router by which the body must be read
   * and the handler settled. Past it the ack is FAIL (408 while the body is
   * still arriving) and `context.signal` aborts. Tencent gives up after 2 s:
   * 2000 or more draws a process warning (`TRTC_ROOM_CALLBACKS_TIMEOUT`),
   * since an OK sent after 2 s is never seen.
   *
   * @defaultValue 1500
   */
  timeoutMs?: number | undefined;
  /**
   * Largest body accepted, in bytes; larger ones get 413.
   *
   * @defaultValue 1048576 (1 MiB)
   */
  limit?: number | undefined;
  /**
   * Called with every failure: each rejected request, each handler that threw
   * or timed out, each late settlement. The error carries a stable `code`;
   * the second argument what was known of the request: the command, the raw
   * body (cut to `rawBodyCap`), the query's fields and the transport's
   * request. The ack is decided before it runs, so nothing it does changes
   * what Tencent receives. What it throws or rejects is ignored (traced with
   * `DEBUG=trtc-room-callbacks:error`).
   *
   * @defaultValue none
   */
  onError?: ((error: TrtcCallbackError, info: CallbackFailureInfo<Req>) => unknown) | undefined;
  /**
   * Called for a `CallbackCommand` that is not one of the six known commands
   * (Tencent adds commands over time). Its result decides the ack like a
   * handler's. Without it, unknown commands are acked OK and traced with
   * `DEBUG=trtc-room-callbacks:dispatch`.
   *
   * @defaultValue none
   */
  onUnknownCommand?:
    ((event: UnknownCallbackEvent, context: UnknownCommandContext<Req>) => unknown) | undefined;
  /**
   * How many characters of the raw body `onError` receives in `info.rawBody`
   * (a copy: a kept report never pins the whole body in memory).
   *
   * @defaultValue 65536
   */
  rawBodyCap?: number | undefined;
}

/** The options of `createCallbackRouter`: {@link CallbackOptions}, under the name it had first. */
export type CallbackRouterOptions<Req = IncomingMessage> = CallbackOptions<Req>;
