import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import type { CallbackCommand, CallbackEvent } from "../commands/registry";
import type { TrtcCallbackError } from "../core/errors";
import { createCallbackHandle } from "../core/handle";
import { configure, ConfigurationError } from "../core/options";
import type { Outcome } from "../core/outcome";
import type {
  CallbackContext,
  CallbackFailureInfo,
  CallbackOptions,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "../core/types";
import type { Ack } from "../protocol/ack";
import { nodeSha256Hex } from "../protocol/sign";
import { nodeTracer } from "../adapters/node/trace";
import { callbackQuery } from "./callback-query";
import { sampleEvent } from "./sample-event";

/** What a tester's `createRequest` gets to build `context.request` from. */
export interface TestRequestInit {
  /** HTTP method, `POST` unless the test chose another. */
  readonly method: string;
  /** Request target as the router sees it once mounted: `/?SdkAppid=…&CallbackCommand=…`. */
  readonly url: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent. */
  readonly body: string | Uint8Array;
}

/**
 * Options of {@link createCallbackTester}: the router's options (validated the
 * same way, so a mistake throws the same `ConfigurationError`), plus
 * `createRequest`, which builds the `context.request` handlers receive.
 *
 * `createRequest` is optional when your handlers accept a plain
 * `IncomingMessage` (the default `CallbackHandlers`); by default the request is
 * an `IncomingMessage` with the method, URL and headers set and an empty,
 * ended body stream. It is required when your handlers are typed for a
 * richer request such as `express.Request`, which the tester cannot make.
 *
 * @typeParam Req - the request type your handlers expect.
 */
export type CallbackTesterOptions<Req = IncomingMessage> = CallbackOptions<Req> &
  (IncomingMessage extends Req
    ? {
        /** Builds `context.request`. @defaultValue a bare `IncomingMessage` */
        createRequest?: ((init: TestRequestInit) => Req) | undefined;
      }
    : {
        /** Builds `context.request`; required because `Req` is more than an `IncomingMessage`. */
        createRequest: (init: TestRequestInit) => Req;
      });

/** Options of {@link CallbackTester.send}: how the query differs from what Tencent would send. */
export interface SendOptions<Req = IncomingMessage> {
  /**
   * The signing token; `null` sends no `Sign`.
   *
   * @defaultValue the tester's `token` (the first, when several), or none
   */
  token?: string | null | undefined;
  /** `RequestTime` in Unix seconds. @defaultValue now, when signing */
  requestTime?: number | undefined;
  /** `ClientIP`; `null` leaves it out. @defaultValue `"127.0.0.1"` */
  clientIp?: string | null | undefined;
  /** `OptPlatform`; `null` leaves it out. @defaultValue `"Web"` */
  optPlatform?: string | null | undefined;
  /** Query parameters set over the generated ones; `undefined` removes one (such as `{ Sign: undefined }`). */
  query?: Readonly<Record<string, string | undefined>> | undefined;
  /** `context.request` for this call. @defaultValue made by the tester's `createRequest` */
  request?: Req | undefined;
}

/** Options of {@link CallbackTester.post}: {@link SendOptions} plus the method and the query's command. */
export interface PostOptions<Req = IncomingMessage> extends SendOptions<Req> {
  /**
   * The query's `CallbackCommand`; `null` leaves it out, so the router takes the body's.
   *
   * @defaultValue the body's `CallbackCommand` when the body is an object, otherwise none
   */
  command?: string | null | undefined;
  /** HTTP method. @defaultValue `"POST"` */
  method?: string | undefined;
}

/**
 * What the router did with one callback: the answer Tencent would get, every
 * error `onError` received, and what the handler was called with.
 *
 * @typeParam Event - the event the handler receives.
 * @typeParam Context - the handler's context.
 */
export interface CallbackTestResult<Event = unknown, Context = unknown> {
  /** HTTP status the router would answer with. */
  readonly status: number;
  /** The acknowledgement body. */
  readonly ack: Ack;
  /** Extra response headers, such as `Allow` on a 405; `Content-Type` is always JSON and not listed. */
  readonly headers: Readonly<Record<string, string>>;
  /** `true` when the status is 200 and the ack is `OK`. */
  readonly ok: boolean;
  /**
   * Every error reported to `onError` for this callback, in order (your own
   * `onError`, if any, is called too). A handler that settles after its
   * deadline adds its error later: await {@link settled} first.
   */
  readonly errors: readonly TrtcCallbackError[];
  /** What `onError` received beside each of {@link errors}, in the same order: the command, the raw body, … */
  readonly failures: readonly CallbackFailureInfo<unknown>[];
  /** Whether the handler (or `onUnknownCommand`) was called. */
  readonly handled: boolean;
  /** The validated, normalised event the handler received; `undefined` when it was not called. */
  readonly event: Event | undefined;
  /** The context the handler received; `undefined` when it was not called. */
  readonly context: Context | undefined;
  /**
   * Resolves (never rejects) once the handler's own promise has settled and
   * any late error is in {@link errors}; at once when the handler was not
   * called or returned synchronously.
   */
  readonly settled: Promise<void>;
}

/** Runs callbacks through the router's pipeline in-process. Made by {@link createCallbackTester}. */
export interface CallbackTester<Req = IncomingMessage> {
  /** The `SdkAppid` the tester sends, normalised to a string. */
  readonly sdkAppId: string;
  /**
   * Sends one callback for `command` as Tencent would: the event as a JSON
   * body, with the query Tencent adds (signed when the tester has a token).
   *
   * @param command - a canonical command.
   * @param event - the event to send. @defaultValue `sampleEvent(command)`
   * @param options - how the query differs from Tencent's.
   */
  send<C extends CallbackCommand>(
    command: C,
    event?: CallbackEvent<C>,
    options?: SendOptions<Req>,
  ): Promise<CallbackTestResult<CallbackEvent<C>, CallbackContext<C, Req>>>;
  /**
   * Sends any body (text or bytes as they are, other values as JSON), for the
   * cases `send` cannot express: invalid JSON, schema failures, older
   * spellings, unknown commands, other methods.
   */
  post(
    body: string | Uint8Array | object,
    options?: PostOptions<Req>,
  ): Promise<
    CallbackTestResult<
      CallbackEvent | UnknownCallbackEvent,
      CallbackContext<CallbackCommand, Req> | UnknownCommandContext<Req>
    >
  >;
}

type AnyHandler = (event: never, context: never) => unknown;

/**
 * Creates an in-process tester for your handlers: it runs the router's own
 * pipeline (query and signature checks, parsing, validation, your handler,
 * the deadline, the ack and `onError`) without HTTP, so a handler's unit test
 * sees exactly what the router would do. What only an HTTP transport does,
 * enforcing `limit` and the body-read deadline, is left to the router's own
 * tests. The deadline runs on the global timers: under fake timers, a slow
 * handler times out when the test advances them past `timeoutMs`.
 *
 * @param options - the options you give `createCallbackRouter`, plus an optional `createRequest`.
 * @throws ConfigurationError for the options `createCallbackRouter` would reject.
 *
 * @example
 * ```ts
 * const tester = createCallbackTester({ sdkAppId: 1400000001, handlers });
 * const result = await tester.send("Room.CallbackAfterMemberEnter", sampleEvent("Room.CallbackAfterMemberEnter"));
 * expect(result.ack).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
 * ```
 */
export function createCallbackTester<Req = IncomingMessage>(
  options: CallbackTesterOptions<Req>,
): CallbackTester<Req> {
  if (options === null || typeof options !== "object") configure(options);
  const { createRequest = incomingMessage as unknown as (init: TestRequestInit) => Req, ...routerOptions } =
    options as CallbackOptions<Req> & { createRequest?: (init: TestRequestInit) => Req };
  if (typeof createRequest !== "function") {
    throw new ConfigurationError(
      "createRequest must be a function that returns the request your handlers expect, or be left out",
    );
  }
  const config = configure(routerOptions);

  async function run(
    body: string | Uint8Array,
    method: string,
    query: Record<string, string>,
    given: Req | undefined,
  ): Promise<CallbackTestResult<never, never>> {
    const url = `/?${new URLSearchParams(query).toString()}`;
    const headers = {
      "content-type": "application/json",
      "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength),
    };
    const request = given ?? createRequest({ method, url, headers, body });
    const errors: TrtcCallbackError[] = [];
    const failures: CallbackFailureInfo<Req>[] = [];
    const call: { handled: boolean; event?: unknown; context?: unknown; settled: Promise<void> } = {
      handled: false,
      settled: Promise.resolve(),
    };
    // Wrapped only to observe the call: same arguments, same result, so the core behaves as in the router.
    const observe = <H extends AnyHandler>(handler: H): H =>
      ((event: never, context: never) => {
        call.handled = true;
        call.event = event;
        call.context = context;
        const result = handler(event, context);
        call.settled = settledOf(result);
        return result;
      }) as H;
    const handle = createCallbackHandle<Req>(
      {
        ...config,
        handlers: new Map([...config.handlers].map(([command, handler]) => [command, observe(handler)])),
        onUnknownCommand: config.onUnknownCommand && observe(config.onUnknownCommand),
        onError: (error: TrtcCallbackError, info: CallbackFailureInfo<Req>) => {
          errors.push(error);
          failures.push(info);
          return config.onError?.(error, info);
        },
      },
      { name: "testing", sha256Hex: nodeSha256Hex, tracer: nodeTracer },
    );
    const outcome: Outcome = await handle(
      { method, url, request, readBody: () => Promise.resolve(body) },
      (written) => written,
    );
    return {
      status: outcome.status,
      ack: { ...outcome.ack },
      headers: { ...outcome.headers },
      ok: outcome.status === 200 && outcome.ack.ActionStatus === "OK",
      errors,
      failures,
      handled: call.handled,
      event: call.event as never,
      context: call.context as never,
      settled: call.settled,
    };
  }

  function queryFor(command: string | undefined, options: SendOptions<Req>): Record<string, string> {
    const token = options.token === undefined ? config.tokens[0] : (options.token ?? undefined);
    const query: Record<string, string> = callbackQuery({
      sdkAppId: config.sdkAppId,
      command: command ?? "",
      token,
      requestTime: options.requestTime,
      clientIp: options.clientIp,
      optPlatform: options.optPlatform,
    });
    if (command === undefined) delete query["CallbackCommand"];
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) delete query[name];
      else query[name] = value;
    }
    return query;
  }

  return {
    sdkAppId: config.sdkAppId,
    send(command, event, options = {}) {
      const body = JSON.stringify(event ?? sampleEvent(command));
      return run(body, "POST", queryFor(command, options), options.request);
    },
    post(body, options = {}) {
      const command = options.command === undefined ? commandOf(body) : (options.command ?? undefined);
      const text = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
      return run(text, options.method ?? "POST", queryFor(command, options), options.request);
    },
  };
}

function commandOf(body: unknown): string | undefined {
  if (body === null || typeof body !== "object" || body instanceof Uint8Array) return undefined;
  const command = (body as { CallbackCommand?: unknown }).CallbackCommand;
  return typeof command === "string" ? command : undefined;
}

/** Resolves once `result` settles, one turn after the pipeline has seen it, so late errors are reported first. */
function settledOf(result: unknown): Promise<void> {
  const thenable =
    result !== null &&
    (typeof result === "object" || typeof result === "function") &&
    typeof (result as { then?: unknown }).then === "function";
  if (!thenable) return Promise.resolve();
  const ignore = (): void => undefined;
  return Promise.resolve(result as PromiseLike<unknown>)
    .then(ignore, ignore)
    .then(ignore);
}

/** The default `context.request`: a real `IncomingMessage` whose body was already read, as in the router. */
function incomingMessage(init: TestRequestInit): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.method = init.method;
  request.url = init.url;
  request.headers = { ...init.headers };
  request.push(null);
  return request;
}
