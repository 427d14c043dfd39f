import { isUtf8 } from "node:buffer";
import { fail, OK, type Outcome } from "./ack";
import { lookupCommand, type CallbackCommand } from "./commands/registry";
import type { Deadline } from "./deadline";
import { runHandler } from "./dispatch";
import {
  ErrorCodes,
  HandlerError,
  InvalidEventError,
  RequestRejectedError,
  SdkAppIdError,
  TrtcCallbackError,
} from "./errors";
import { parseJson, sanitize } from "./json";
import { log } from "./log";
import type { Configuration } from "./options";
import { parseQuery, type CallbackQuery } from "./query";
import { verifySignature } from "./signature";
import type { CallbackContext, RequestInfo } from "./types";
import { validateEvent } from "./validate";

/** A body as the transport has it: raw bytes, text, or already parsed by an earlier middleware. */
export type BodyInput = string | Uint8Array | { readonly parsed: unknown };

/** One request, as any transport can describe it. */
export interface PipelineInput<Req> {
  /** HTTP method. */
  readonly method: string;
  /** Request target: path and query string. */
  readonly url: string;
  /** The transport's request object, handed to handlers as `context.request`. */
  readonly request: Req;
  /** Started when the request arrived. */
  readonly deadline: Deadline;
  /** Reads the body; called only once the query has passed the app and signature checks. */
  readBody(): Promise<BodyInput>;
}

type MutableInfo<Req> = { -readonly [K in keyof RequestInfo<Req>]: RequestInfo<Req>[K] };

/** What a FAIL ack says when a handler failed with something other than a `CallbackError`: the real error stays in-process. */
export const HANDLER_FAILED_INFO = "the callback handler failed";

/**
 * The framework-free core: checks, parses, validates and dispatches one
 * request and resolves to the outcome to write. It never rejects; every
 * failure becomes a FAIL outcome and is reported to `onError`.
 */
export function createPipeline<Req>(
  config: Configuration<Req>,
): (input: PipelineInput<Req>) => Promise<Outcome> {
  const report = (error: TrtcCallbackError, info: RequestInfo<Req>): void => {
    log.error("%s %d %s", error.name, error.code, error.message);
    if (config.onError === undefined) return;
    try {
      const result = config.onError(error, info) as { then?: unknown } | undefined;
      if (result && typeof result.then === "function") {
        (result as PromiseLike<unknown>).then(undefined, (thrown: unknown) =>
          log.error("onError rejected: %O", thrown),
        );
      }
    } catch (thrown) {
      log.error("onError threw: %O", thrown);
    }
  };

  const cap = (text: string | undefined): string | undefined =>
    text === undefined || text.length <= config.rawBodyCap ? text : text.slice(0, config.rawBodyCap);

  return async function process(input) {
    const info: MutableInfo<Req> = { request: input.request };
    let rawBody: string | undefined;
    // A body an earlier middleware parsed is turned back into text only if a failure needs it.
    let parsedBody: unknown;
    const bodyText = () => rawBody ?? (parsedBody === undefined ? undefined : stringifyForReport(parsedBody));
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
      checkSdkAppId(query, config.sdkAppId);
      if (config.tokens.length > 0) info.requestTime = verifySignature(query, config.tokens, Date.now());
      if (query.isRepeated("callbackcommand")) {
        throw new InvalidEventError(
          "CallbackCommand appears more than once in the query",
          ErrorCodes.CommandMismatch,
          400,
        );
      }

      const body = await input.readBody();
      let value: unknown;
      if (typeof body === "object" && "parsed" in body) {
        parsedBody = body.parsed;
        value = sanitize(body.parsed);
      } else {
        rawBody = toText(body);
        checkUtf8(body);
        value = parseText(rawBody);
      }
      const object = toObject(value);
      const received = resolveCommand(queryCommand, object["CallbackCommand"]);
      info.receivedCommand = received;

      const definition = lookupCommand(received);
      if (definition === undefined) {
        return await dispatchUnknown(received, object, info, input.deadline, bodyText);
      }
      const command = definition.name;
      info.command = command;
      const handler = config.handlers.get(command);
      if (handler === undefined) {
        log.dispatch("%s: no handler registered, acked OK", command);
        return OK;
      }
      const event = validateEvent(command, object);
      const context = new HandlerContext(info, received, command, input.deadline) as CallbackContext<
        CallbackCommand,
        Req
      >;
      await runHandler(
        () => handler(event, context),
        command,
        input.deadline,
        (late) => {
          late.command = command;
          late.rawBody = cap(bodyText());
          report(late, info);
        },
      );
      log.dispatch("%s: handled", command);
      return OK;
    } catch (thrown) {
      const error =
        thrown instanceof TrtcCallbackError
          ? thrown
          : new HandlerError("internal error in trtc-room-callbacks", ErrorCodes.HandlerFailed, 500, {
              cause: thrown,
            });
      // Assigned, not defaulted: a handler may throw the same CallbackError instance for many requests.
      error.command = info.command ?? (info.receivedCommand && canonical(info.receivedCommand));
      error.rawBody = cap(bodyText() ?? error.rawBody);
      report(error, info);
      return failure(error);
    }
  };

  async function dispatchUnknown(
    received: string,
    object: Record<string, unknown>,
    info: MutableInfo<Req>,
    deadline: Deadline,
    bodyText: () => string | undefined,
  ): Promise<Outcome> {
    const handler = config.onUnknownCommand;
    if (handler === undefined) {
      log.dispatch("%s: unknown command, acked OK (set onUnknownCommand to handle it)", received);
      return OK;
    }
    const event = { ...object, CallbackCommand: received };
    const context = new HandlerContext(info, received, undefined, deadline);
    await runHandler(
      () => handler(event, context as UnknownContext<Req>),
      received,
      deadline,
      (late) => {
        late.command = received;
        late.rawBody = cap(bodyText());
        report(late, info);
      },
    );
    return OK;
  }
}

type UnknownContext<Req> = RequestInfo<Req> & {
  receivedCommand: string;
  sdkAppId: string;
  signal: AbortSignal;
};

/** A handler's context: the request info, plus the deadline's signal made on first use. */
class HandlerContext<Req> implements RequestInfo<Req> {
  readonly request: Req;
  readonly sdkAppId: string;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  readonly #deadline: Deadline;

  constructor(
    info: RequestInfo<Req>,
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

function failure(error: TrtcCallbackError): Outcome {
  const info = error instanceof HandlerError ? HANDLER_FAILED_INFO : error.message;
  switch (error.code) {
    case ErrorCodes.MethodNotAllowed:
      return fail(error.status, error.code, info, { headers: { Allow: "POST" } });
    case ErrorCodes.PayloadTooLarge:
    case ErrorCodes.BodyTimeout:
      return fail(error.status, error.code, info, { close: true });
    default:
      return fail(error.status, error.code, info);
  }
}

function checkSdkAppId(query: CallbackQuery, expected: string): void {
  const received = query.get("sdkappid");
  if (received === undefined || received === "") {
    throw new SdkAppIdError("SdkAppid is missing from the query", ErrorCodes.MissingSdkAppId, 403);
  }
  if (query.isRepeated("sdkappid")) {
    throw new SdkAppIdError("SdkAppid appears more than once in the query", ErrorCodes.RepeatedSdkAppId, 403);
  }
  if (received !== expected) {
    throw new SdkAppIdError("SdkAppid is not this app's", ErrorCodes.WrongSdkAppId, 403);
  }
}

function toText(body: string | Uint8Array): string {
  if (typeof body === "string") return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** Checked after decoding, so that the report of an invalid body still has its (lossy) text. */
function checkUtf8(body: string | Uint8Array): void {
  if (typeof body !== "string" && !isUtf8(body)) throw invalidJson("the body is not valid UTF-8");
}

function parseText(text: string): unknown {
  // A byte-order mark is not JSON but says nothing against the content.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim() === "") throw invalidJson("the body is empty: expected a JSON object");
  try {
    return parseJson(json);
  } catch (error) {
    throw invalidJson(`the body is not JSON: ${error instanceof Error ? error.message : "parse error"}`);
  }
}

function toObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalidJson(
      `the body must be a JSON object; got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

function resolveCommand(fromQuery: string | undefined, fromBody: unknown): string {
  if (fromBody !== undefined && typeof fromBody !== "string") {
    throw new InvalidEventError(
      'invalid event: "CallbackCommand" must be a string',
      ErrorCodes.InvalidEvent,
      400,
    );
  }
  const body = fromBody || undefined;
  const received = fromQuery ?? body;
  if (received === undefined) {
    throw new InvalidEventError(
      "CallbackCommand is missing from both the query and the body",
      ErrorCodes.MissingCommand,
      400,
    );
  }
  if (fromQuery !== undefined && body !== undefined && canonical(fromQuery) !== canonical(body)) {
    throw new InvalidEventError(
      `the body's CallbackCommand ${quoteShort(body)} differs from the query's ${quoteShort(fromQuery)}`,
      ErrorCodes.CommandMismatch,
      400,
    );
  }
  return received;
}

/** A received name for an error message: quoted, and cut short so a hostile body cannot bloat the ack. */
function quoteShort(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
}

function canonical(name: string): string {
  return lookupCommand(name)?.name ?? name;
}

function invalidJson(message: string): InvalidEventError {
  return new InvalidEventError(message, ErrorCodes.InvalidJson, 400);
}

function stringifyForReport(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
