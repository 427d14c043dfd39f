import type { CallbackCommand } from "../commands/registry";
import { COMMAND_NAMES, lookupCommand } from "../commands/registry";
import { log } from "./log";
import { closest } from "./suggest";
import type { CallbackHandler, CallbackOptions } from "./types";

/** The options, checked and completed with defaults: what the pipeline runs on. */
export interface Configuration<Req> {
  readonly sdkAppId: string;
  readonly handlers: ReadonlyMap<CallbackCommand, CallbackHandler<CallbackCommand, Req>>;
  readonly tokens: readonly string[];
  readonly timeoutMs: number;
  readonly limit: number;
  readonly rawBodyCap: number;
  readonly onError: CallbackOptions<Req>["onError"];
  readonly onUnknownCommand: CallbackOptions<Req>["onUnknownCommand"];
}

export const DEFAULT_TIMEOUT_MS = 1500;
export const DEFAULT_LIMIT = 1024 * 1024;
export const DEFAULT_RAW_BODY_CAP = 64 * 1024;

/** Tencent gives up on a callback after this many milliseconds. */
export const TENCENT_TIMEOUT_MS = 2000;

// Every option, exactly: a key missing here or one the options type lacks is a compile error.
export const KNOWN_OPTIONS = {
  sdkAppId: true,
  handlers: true,
  token: true,
  requireToken: true,
  timeoutMs: true,
  limit: true,
  onError: true,
  onUnknownCommand: true,
  rawBodyCap: true,
} as const satisfies { readonly [K in keyof Required<CallbackOptions>]: true };

const OPTION_NAMES = Object.keys(KNOWN_OPTIONS) as (keyof CallbackOptions)[];

const USAGE = 'app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers: { … } }))';

/** Thrown by `createCallbackRouter` for options it cannot run with; the message says what to change. */
export class ConfigurationError extends TypeError {
  constructor(message: string) {
    super(`trtc-room-callbacks: ${message}`);
    this.name = "ConfigurationError";
  }
}

/**
 * Checks the options and fills in defaults. Throws {@link ConfigurationError}.
 * `extra` names options an entry takes beyond these (the Fastify plugin's
 * `prefix`), which it removes before calling.
 */
export function configure<Req>(
  options: CallbackOptions<Req>,
  extra: readonly string[] = [],
): Configuration<Req> {
  if (options === null || typeof options !== "object") {
    throw new ConfigurationError(`createCallbackRouter needs an options object: ${USAGE}`);
  }
  if ("headers" in options && "method" in options) {
    throw new ConfigurationError(
      `createCallbackRouter was used as a middleware without being called. Write ${USAGE}, not app.use(createCallbackRouter)`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(KNOWN_OPTIONS, name) && !extra.includes(name)) {
      const hint = closest(name, [...OPTION_NAMES, ...extra]);
      throw new ConfigurationError(
        `unknown option "${name}"${hint ? `: did you mean "${hint}"?` : ""} Known options: ${OPTION_NAMES.join(", ")}`,
      );
    }
  }
  const requireToken = checkBoolean("requireToken", options.requireToken);
  if (requireToken && (options.token === undefined || options.token === null)) {
    throw new ConfigurationError(
      "requireToken is set but token is missing: pass the callback authentication token set on Tencent's side, for example token: process.env.TRTC_CALLBACK_TOKEN, and make sure that variable is set",
    );
  }
  const timeoutMs = checkInteger("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, 60_000);
  if (timeoutMs >= TENCENT_TIMEOUT_MS) warnSlowTimeout(timeoutMs);
  return {
    sdkAppId: checkSdkAppId(options.sdkAppId),
    handlers: checkHandlers(options.handlers),
    tokens: checkTokens(options.token),
    timeoutMs,
    limit: checkInteger("limit", options.limit, DEFAULT_LIMIT, 1, 2 ** 31 - 1),
    rawBodyCap: checkInteger("rawBodyCap", options.rawBodyCap, DEFAULT_RAW_BODY_CAP, 0, 2 ** 31 - 1),
    onError: checkFunction("onError", options.onError),
    onUnknownCommand: checkFunction("onUnknownCommand", options.onUnknownCommand),
  };
}

function checkSdkAppId(value: unknown): string {
  if (value === undefined || value === null || value === "") {
    throw new ConfigurationError(
      "sdkAppId is required: pass your app's SDKAppID from the TRTC console, for example sdkAppId: 1400000001 or sdkAppId: process.env.TRTC_SDK_APP_ID",
    );
  }
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ConfigurationError(
      `sdkAppId must be a positive integer or a string of digits, such as 1400000001; got ${describe(value)}`,
    );
  }
  return text;
}

function checkHandlers<Req>(
  value: unknown,
): ReadonlyMap<CallbackCommand, CallbackHandler<CallbackCommand, Req>> {
  if (value === undefined) {
    throw new ConfigurationError(
      `handlers is required: map each command you handle to a function, for example handlers: { "Room.CallbackAfterMemberEnter": async (event) => { … } }. Commands: ${COMMAND_NAMES.join(", ")}`,
    );
  }
  if (!isPlainObject(value)) {
    throw new ConfigurationError(
      `handlers must be a plain object keyed by command, such as { "Room.CallbackAfterMemberEnter": handler }; got ${describe(value)}`,
    );
  }
  const handlers = new Map<CallbackCommand, CallbackHandler<CallbackCommand, Req>>();
  for (const [key, handler] of Object.entries(value as Record<string, unknown>)) {
    const command = lookupCommand(key);
    if (command === undefined) {
      const hint = closest(key, COMMAND_NAMES);
      throw new ConfigurationError(
        `handlers has an unknown command "${key}"${hint ? `: did you mean "${hint}"?` : ""} Commands: ${COMMAND_NAMES.join(", ")}`,
      );
    }
    if (command.name !== key) {
      throw new ConfigurationError(
        `handlers: register "${key}" under its current name "${command.name}"; that handler receives both spellings`,
      );
    }
    if (handler === undefined) continue;
    if (typeof handler !== "function") {
      throw new ConfigurationError(`handlers["${key}"] must be a function; got ${describe(handler)}`);
    }
    handlers.set(command.name, handler as CallbackHandler<CallbackCommand, Req>);
  }
  return handlers;
}

function checkTokens(value: unknown): readonly string[] {
  if (value === undefined) return [];
  const tokens: unknown[] = Array.isArray(value) ? value : [value];
  if (tokens.some((token) => typeof token === "string" && token !== "" && token.trim() !== token)) {
    throw new ConfigurationError(
      "token has leading or trailing whitespace, which Tencent's token cannot have: trim it (a line read from a file or an env file often ends in a newline)",
    );
  }
  if (tokens.length === 0 || tokens.some((token) => typeof token !== "string" || token === "")) {
    throw new ConfigurationError(
      "token must be a non-empty string (or a non-empty array of them) matching the callback authentication token set on Tencent's side; leave it out to skip signature checks. An empty value usually means an unset environment variable",
    );
  }
  return tokens as string[];
}

function checkInteger(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${name} must be an integer from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean")
    throw new ConfigurationError(`${name} must be true or false; got ${describe(value)}`);
  return value;
}

/**
 * Tencent stops waiting at 2 s: an ack after that is never seen, so a FAIL
 * the app counts on never happens. A warning, not an error: some set Tencent
 * to retry on timeout and want the handler to finish anyway.
 */
function warnSlowTimeout(timeoutMs: number): void {
  const message = `timeoutMs is ${timeoutMs}, but Tencent stops waiting for the ack after ${TENCENT_TIMEOUT_MS} ms: a handler slower than that is answered after Tencent gave up. Use 1500 (the default) or less.`;
  log.error("%s", message);
  // Node's own channel for library warnings (--no-warnings silences it); isolates have none.
  const node = (globalThis as { process?: { emitWarning?: (message: string, options: object) => void } })
    .process;
  node?.emitWarning?.(`trtc-room-callbacks: ${message}`, {
    type: "TrtcRoomCallbacksWarning",
    code: "TRTC_ROOM_CALLBACKS_TIMEOUT",
  });
}

function checkFunction<F>(name: string, value: F): F {
  if (value !== undefined && typeof value !== "function") {
    throw new ConfigurationError(`${name} must be a function; got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || Array.isArray(value)) return value === null ? "null" : "an array";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return `${typeof value} ${String(value)}`;
  return isPlainObject(value)
    ? "an object"
    : `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "a class"}`;
}

/** An object literal or `Object.create(null)`, from this realm or another (a `vm` context, a test runner's). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
