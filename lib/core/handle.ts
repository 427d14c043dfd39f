import { lookupCommand, type CallbackCommand } from "../commands/registry";
import { parseQuery } from "../protocol/query";
import type { Sha256Hex } from "../protocol/signature";
import { authenticate } from "./authenticate";
import { HandlerContext } from "./context";
import { Deadline } from "./deadline";
import {
  describeThrown,
  ErrorCodes,
  InternalError,
  InvalidEventError,
  RequestRejectedError,
  TrtcCallbackError,
} from "./errors";
import { IncompleteBody } from "./incomplete-body";
import { log } from "./log";
import type { Configuration } from "./options";
import { failureOutcome, OK, type Outcome } from "./outcome";
import { bodyObject, decodeBody, isParsed, lenientText, parsedText, type BodyInput } from "./parse-body";
import { createReporter } from "./report";
import { resolveCommand } from "./resolve-command";
import { runHandler } from "./run-handler";
import {
  endRequestTrace,
  startHandlerTrace,
  type HandledBy,
  type RequestTraceMessage,
  type Tracer,
} from "./trace";
import type {
  CallbackContext,
  CallbackFailureInfo,
  UnknownCallbackEvent,
  UnknownCommandContext,
} from "./types";
import { validateEvent } from "./validate";

/** The transports the core serves, as named in traces. */
export type AdapterName = "express" | "node" | "fetch" | "fastify" | "testing";

/** What an adapter tells the core about itself, once. */
export interface Adapter {
  /** Its name, for traces. */
  readonly name: AdapterName;
  /** SHA-256 for signature checks: `node:crypto` on Node, Web Crypto elsewhere. */
  readonly sha256Hex: Sha256Hex;
  /** The tracing channels to publish on; none where `diagnostics_channel` is missing. */
  readonly tracer?: Tracer | undefined;
}

/** One request, as an adapter describes it to the core. */
export interface CallbackInput<Req> {
  /** HTTP method. */
  readonly method: string;
  /** Request target: path and query string (only the query is read). */
  readonly url: string;
  /** The full URL for traces, when the adapter knows more than `url` (Express's `originalUrl`). */
  readonly traceUrl?: string;
  /** The transport's request object, handed to handlers as `context.request`. */
  readonly request: Req;
  /**
   * Reads the body, bounded by `limit` and the deadline. Called only once the
   * query passed the app and signature checks. Rejects with a
   * {@link TrtcCallbackError} (413, 408, …), or an {@link IncompleteBody}
   * carrying what did arrive.
   */
  readBody(deadline: Deadline, limit: number): Promise<BodyInput>;
}

/** The core's answer to one request, written by the adapter's `write`, whose result it resolves to. */
export type CallbackHandle<Req> = <R>(
  input: CallbackInput<Req>,
  write: (outcome: Outcome) => R,
) => Promise<R>;

type MutableInfo<Req> = { -readonly [K in keyof CallbackFailureInfo<Req>]: CallbackFailureInfo<Req>[K] };

/**
 * The transport-free core. For each request it starts the deadline, checks
 * the query, has the adapter read the body, parses and validates it, runs
 * the handler, decides the outcome, has the adapter write it (exactly once),
 * then reports any failure to `onError` and traces the request. The returned
 * promise never rejects.
 */
export function createCallbackHandle<Req>(config: Configuration<Req>, adapter: Adapter): CallbackHandle<Req> {
  const report = createReporter(config.onError);
  const cap = (text: string): string =>
    // A copy, not a slice: a slice would keep the whole body alive as long as the report is kept.
    text.length <= config.rawBodyCap ? text : copyOf(text.slice(0, config.rawBodyCap));

  const tracer = adapter.tracer;

  const handle = async function handle<R>(
    input: CallbackInput<Req>,
    write: (outcome: Outcome) => R,
    trace?: RequestTraceMessage,
  ): Promise<R> {
    const deadline = new Deadline(config.timeoutMs);
    const info: MutableInfo<Req> = { request: input.request };
    let bodyRead = false;
    // A body an earlier middleware parsed is turned back into text only if a failure needs it.
    let rawBody: string | undefined;
    let parsedBody: unknown;
    let answered = false;
    let written: R | undefined;
    let handled: HandledBy = "rejected";

    /** Writes the outcome once; then reports the failure, if any, so `onError` cannot change the ack. */
    const answer = (outcome: Outcome, error?: TrtcCallbackError): void => {
      if (answered) return;
      answered = true;
      deadline.clear();
      try {
        written = write(outcome);
      } catch (thrown) {
        log.error("the %s adapter could not write the answer: %O", adapter.name, thrown);
      }
      if (log.request.enabled) {
        log.request(
          "%s %s %s -> %d %s %d",
          adapter.name,
          input.method,
          input.traceUrl ?? input.url,
          outcome.status,
          outcome.ack.ActionStatus,
          outcome.ack.ErrorCode,
        );
      }
      if (trace !== undefined) endRequestTrace(tracer, trace, info, handled, outcome, error);
      if (error) reportFailure(error);
    };
    /** Reports a failure with what is known of the request: its command and its body. */
    const reportFailure = (error: TrtcCallbackError): void => {
      const text = rawBody ?? (parsedBody === undefined ? undefined : parsedText(parsedBody));
      report(error, { ...info, rawBody: text === undefined ? undefined : cap(text) });
    };
    const fail = (error: TrtcCallbackError): void => answer(failureOutcome(error, bodyRead), error);

    /** Runs a handler against the deadline: OK only when it settled in time. */
    const dispatch = async (run: () => unknown, label: string, command?: CallbackCommand): Promise<void> => {
      const traced = startHandlerTrace(tracer?.handler, () => ({
        adapter: adapter.name,
        command,
        receivedCommand: info.receivedCommand ?? label,
        sdkAppId: info.sdkAppId,
      }));
      const failure = await runHandler(traced === undefined ? run : () => traced.run(run), label, deadline, {
        timedOut: (error) => {
          traced?.settle("timeout", error);
          fail(error);
        },
        late: reportFailure,
      });
      traced?.settleWith(failure);
      if (failure !== undefined) return fail(failure);
      log.dispatch("%s: handled", label);
      answer(OK);
    };

    try {
      if (input.method !== "POST") {
        throw new RequestRejectedError(
          `method ${input.method} is not allowed: Tencent sends callbacks with POST`,
          ErrorCodes.MethodNotAllowed,
          405,
        );
      }
      const query = parseQuery(input.url);
      info.sdkAppId = query.get("sdkappid");
      info.clientIp = query.get("clientip");
      info.optPlatform = query.get("optplatform");
      const queryCommand = query.get("callbackcommand") || undefined;
      info.receivedCommand = queryCommand;
      info.command = queryCommand === undefined ? undefined : lookupCommand(queryCommand)?.name;
      const signed = authenticate(query, config.sdkAppId, config.tokens, Date.now(), adapter.sha256Hex);
      if (signed !== undefined) info.requestTime = await signed;
      if (query.isRepeated("callbackcommand")) {
        throw new InvalidEventError(
          "CallbackCommand appears more than once in the query",
          ErrorCodes.CommandMismatch,
          400,
        );
      }

      const body = await input.readBody(deadline, config.limit);
      bodyRead = true;
      let text: string | undefined;
      if (isParsed(body)) parsedBody = body.parsed;
      else {
        text = decodeBody(body);
        rawBody = text ?? lenientText(body as Uint8Array);
      }
      const object = bodyObject(body, text);
      const received = resolveCommand(queryCommand, object["CallbackCommand"]);
      info.receivedCommand = received;

      const definition = lookupCommand(received);
      if (definition === undefined) {
        info.command = undefined;
        const onUnknown = config.onUnknownCommand;
        if (onUnknown === undefined) {
          handled = "unknown-command";
          log.dispatch("%s: unknown command, acked OK (set onUnknownCommand to handle it)", received);
          answer(OK);
          return written as R;
        }
        handled = "unknown-command-handler";
        // The parsed object is the core's own (a pre-parsed body is copied at its top level): no copy needed.
        object["CallbackCommand"] = received;
        const event = object as UnknownCallbackEvent;
        const context = new HandlerContext(info, received, undefined, deadline);
        await dispatch(() => onUnknown(event, context as UnknownCommandContext<Req>), received);
        return written as R;
      }
      const command = definition.name;
      info.command = command;
      const handler = config.handlers.get(command);
      if (handler === undefined) {
        handled = "no-handler";
        log.dispatch("%s: no handler registered, acked OK", command);
        answer(OK);
        return written as R;
      }
      const event = validateEvent(command, object);
      handled = "handler";
      const context = new HandlerContext(info, received, command, deadline);
      await dispatch(
        () => handler(event, context as CallbackContext<CallbackCommand, Req>),
        command,
        command,
      );
    } catch (thrown) {
      const failure = asFailure(thrown);
      if (failure.received !== undefined) rawBody = failure.received;
      fail(failure.error);
    }
    return written as R;
  };
  if (tracer === undefined) return handle;
  return function traced<R>(input: CallbackInput<Req>, write: (outcome: Outcome) => R): Promise<R> {
    // The message is built only when someone listens: without subscribers tracing costs one check.
    if (!tracer.request.hasSubscribers) return handle(input, write);
    const message: RequestTraceMessage = {
      adapter: adapter.name,
      method: input.method,
      request: input.request,
      command: undefined,
      receivedCommand: undefined,
      sdkAppId: undefined,
      handled: "rejected",
      status: 0,
      actionStatus: "",
      errorCode: 0,
      error: undefined,
    };
    return tracer.request.run(message, () => handle(input, write, message));
  };
}

/** What the core answers for something thrown outside a handler: our own errors as they are, anything else an internal fault. */
function asFailure(thrown: unknown): { error: TrtcCallbackError; received?: string } {
  try {
    if (thrown instanceof IncompleteBody) return { error: thrown.error, received: thrown.received };
    if (thrown instanceof TrtcCallbackError) return { error: thrown };
  } catch {
    // A revoked Proxy throws even on `instanceof`: an internal fault like any other foreign value.
  }
  const message = `internal error in trtc-room-callbacks: ${describeThrown(thrown)}`;
  return { error: new InternalError(message, ErrorCodes.Internal, 500, { cause: thrown }) };
}

/** A string with storage of its own: a slice shares the original's, which would stay alive as long as the copy. */
function copyOf(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
