import {
  COMMAND_NAMES,
  isCallbackCommand,
  type CallbackCommand,
  type CallbackEvent,
} from "../commands/registry";
import { closest } from "../core/suggest";
import { SAMPLE_EVENTS } from "./samples";

/**
 * Overrides for {@link sampleEvent}: any field of the event, at any depth, is
 * optional. Objects merge field by field; arrays and other values replace the
 * sample's; a field set to `undefined` is removed (also under
 * `exactOptionalPropertyTypes`, hence the explicit `| undefined`).
 *
 * @typeParam Event - the event being overridden, such as `CallbackEvent<"Room.CallbackAfterMemberEnter">`.
 */
export type EventOverrides<Event> = {
  [Field in keyof Event]?: OverrideOf<Event[Field]> | undefined;
};

type OverrideOf<Value> = Value extends readonly unknown[]
  ? Value
  : Value extends object
    ? EventOverrides<Value>
    : Value;

/**
 * A realistic event for `command`, as your handler receives it from the
 * router: Tencent's documented sample for that command, normalised, with
 * `overrides` deep-merged into it. Each call returns a fresh copy, so a test
 * may change it freely. The sample passes the router's validation; the
 * overrides are yours to keep valid.
 *
 * @param command - one of the six canonical commands.
 * @param overrides - fields to change; objects merge, arrays replace, `undefined` removes.
 * @returns the event, typed as `CallbackEvent<command>`.
 * @throws TypeError when `command` is not a canonical command name.
 *
 * @example
 * ```ts
 * const event = sampleEvent("Room.CallbackAfterMemberLeave", { RoomId: "r1", Type: "Kicked" });
 * // event.RoomId === "r1", event.MemberList_Account: ["user1"] from the sample
 * ```
 */
export function sampleEvent<C extends CallbackCommand>(
  command: C,
  overrides?: EventOverrides<CallbackEvent<C>>,
): CallbackEvent<C> {
  if (typeof command !== "string" || !isCallbackCommand(command)) {
    const hint = typeof command === "string" ? closest(command, COMMAND_NAMES) : undefined;
    throw new TypeError(
      `sampleEvent: unknown command ${JSON.stringify(command)}${hint ? `: did you mean "${hint}"?` : ""} Commands: ${COMMAND_NAMES.join(", ")}`,
    );
  }
  const sample = copy(SAMPLE_EVENTS[command]);
  return (overrides === undefined ? sample : merge(sample, overrides)) as CallbackEvent<C>;
}

/** Merges `override` into `base` (a fresh copy, changed in place); values taken from `override` are copied too. */
function merge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return copy(override);
  for (const key of Object.keys(override)) {
    const value = override[key];
    if (value === undefined) delete base[key];
    else
      define(
        base,
        key,
        merge(Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined, value),
      );
  }
  return base;
}

/** A deep copy of plain objects and arrays; anything else is shared. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) define(result, key, copy(value[key]));
  return result;
}

// defineProperty, not assignment: a key such as `__proto__` stays an ordinary field.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object literal, from this realm or another (test runners evaluate tests in their own). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
