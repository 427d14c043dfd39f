import { failureOutcome, OK, type Outcome } from "./ack";
import { authenticate } from "./authenticate";
import { bodyObject, bodyText, isParsed, parsedText, type BodyInput } from "./body";
import { canonical, resolveCommand } from "./command";
import { lookupCommand, type CallbackCommand } from "./commands/registry";
import { HandlerContext } from "./context";
import type { Deadline } from "./deadline";
import { runHandler } from "./dispatch";
import {
  describeThrown,
  ErrorCodes,
  InternalError,
  InvalidEventError,
  RequestRejectedError,
  TrtcCallbackError,
} from "./errors";
import { log } from "./log";
import type { Configuration } from "./options";
import { parseQuery } from "./query";
import { createReporter } from "./report";
import type { CallbackContext, CallbackRequestInfo, UnknownCommandContext } from "./types";
import { validateEvent } from "./validate";

/** One request, as any transport can describe it. */
export interface PipelineInput<Req> {
  /** HTTP method. */
  readonly method: string;
  /** Request target: path and query string. */
  readonly url: string;
  /** The transport's request object, handed to handlers as `context.request`. */
  readonly request: Req;
  /** Started when the request reached the router. */
  readonly deadline: Deadline;
  /** Reads the body; called only once the query has passed the app and signature checks. */
  readBody(): Promise<BodyInput>;
}

type MutableInfo<Req> = { -readonly [K in keyof CallbackRequestInfo<Req>]: CallbackRequestInfo<Req>[K] };

/**
 * The framework-free core: checks, parses, validates and dispatches one
 * request and resolves to the outcome to write. It never rejects; every
 * failure becomes a FAIL outcome and is reported to `onError`.
 */
export function createPipeline<Req>(
  config: Configuration<Req>,
): (input: PipelineInput<Req>) => Promise<Outcome> {
  const report = createReporter(config.onError);
  const cap = (text: string | undefined): string | undefined =>
    text === undefined || text.length <= config.rawBodyCap ? text : text.slice(0, config.rawBodyCap);

  return async function process(input) {
    const info: MutableInfo<Req> = { request: input.request };
    let rawBody: string | undefined;
    // A body an earlier middleware parsed is turned back into text only if a failure needs it.
    let parsedBody: unknown;
    const receivedBody = () => rawBody ?? (parsedBody === undefined ? undefined : parsedText(parsedBody));
    /** Reports a failure with what is known of the request: its command and its body. */
    const reportFailure = (error: TrtcCallbackError) => {
      error.command = info.command ?? (info.receivedCommand && canonical(info.receivedCommand));
      // Capped here, whoever found the body: the reader attaches the partial body of a stalled request.
      error.rawBody = cap(receivedBody() ?? error.rawBody);
      report(error, info);
    };
    /** Runs a handler against the deadline; a settlement after it is reported, never acked. */
    const dispatch = async (run: () => unknown, label: string) => {
      await runHandler(run, label, input.deadline, reportFailure);
      log.dispatch("%s: handled", label);
      return OK;
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
      info.requestTime = authenticate(query, config.sdkAppId, config.tokens, Date.now());
      if (query.isRepeated("callbackcommand")) {
        throw new InvalidEventError(
          "CallbackCommand appears more than once in the query",
          ErrorCodes.CommandMismatch,
          400,
        );
      }

      const body = await input.readBody();
      if (isParsed(body)) parsedBody = body.parsed;
      else rawBody = bodyText(body);
      const object = bodyObject(body, rawBody ?? "");
      const received = resolveCommand(queryCommand, object["CallbackCommand"]);
      info.receivedCommand = received;

      const definition = lookupCommand(received);
      if (definition === undefined) {
        const onUnknown = config.onUnknownCommand;
        if (onUnknown === undefined) {
          log.dispatch("%s: unknown command, acked OK (set onUnknownCommand to handle it)", received);
          return OK;
        }
        const event = { ...object, CallbackCommand: received };
        const context = new HandlerContext(info, received, undefined, input.deadline);
        return await dispatch(() => onUnknown(event, context as UnknownCommandContext<Req>), received);
      }
      const command = definition.name;
      info.command = command;
      const handler = config.handlers.get(command);
      if (handler === undefined) {
        log.dispatch("%s: no handler registered, acked OK", command);
        return OK;
      }
      const event = validateEvent(command, object);
      const context = new HandlerContext(info, received, command, input.deadline);
      return await dispatch(() => handler(event, context as CallbackContext<CallbackCommand, Req>), command);
    } catch (thrown) {
      const error =
        thrown instanceof TrtcCallbackError
          ? thrown
          : new InternalError(
              `internal error in trtc-room-callbacks: ${describeThrown(thrown)}`,
              ErrorCodes.Internal,
              500,
              {
                cause: thrown,
              },
            );
      reportFailure(error);
      return failureOutcome(error);
    }
  };
}
