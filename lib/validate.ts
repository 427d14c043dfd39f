import type Joi from "joi";
import { COMMANDS, type CallbackCommand, type CallbackEvent } from "./commands/registry";
import { STRING_TYPES } from "./commands/fields";
import { ErrorCodes, InvalidEventError } from "./errors";

/**
 * What a schema check returns when it cannot vouch for a value: Joi decides.
 * A check only ever answers for values Joi would accept unchanged.
 */
const UNSURE: unique symbol = Symbol("unsure");

type Check = (value: unknown) => unknown;

interface Validator {
  readonly schema: Joi.ObjectSchema;
  readonly check: Check | undefined;
}

// Everything is compiled once, at load: Joi's preferences into each schema, and
// from each schema's description a direct check for bodies that are already in
// normal form (the usual case), which answers in a fraction of Joi's time.
const validators = new Map<CallbackCommand, Validator>(
  COMMANDS.map((command) => [
    command.name as CallbackCommand,
    {
      schema: command.schema.prefs({ convert: true, abortEarly: true, allowUnknown: true }),
      check: compile(command.schema.describe()),
    },
  ]),
);

/**
 * Validates a parsed body against its command's schema and returns the
 * normalised event (IDs as exact strings, `"true"`/`"false"` as booleans,
 * `null` optional fields removed, unknown fields kept), with
 * `CallbackCommand` set to the canonical name.
 */
export function validateEvent<C extends CallbackCommand>(
  command: C,
  body: Record<string, unknown>,
): CallbackEvent<C> {
  const validator = validators.get(command);
  if (validator === undefined) throw new Error(`no schema for ${command}`);
  let value = validator.check === undefined ? UNSURE : validator.check(body);
  if (value === UNSURE) {
    const result = validator.schema.validate(body);
    if (result.error) {
      throw new InvalidEventError(
        `invalid ${command} event: ${result.error.message}`,
        ErrorCodes.InvalidEvent,
        400,
      );
    }
    value = result.value;
  }
  const event = value as Record<string, unknown>;
  event["CallbackCommand"] = command;
  return event as CallbackEvent<C>;
}

/** The parts of `Joi.Description` the compiler reads. */
interface Description {
  type?: string;
  flags?: Record<string, unknown>;
  allow?: unknown[];
  rules?: { name: string; args?: Record<string, unknown> }[];
  keys?: Record<string, Description>;
  items?: Description[];
  [other: string]: unknown;
}

/**
 * Compiles a schema description into a check that returns exactly what Joi
 * would return for values that need no conversion and no removal, and
 * {@link UNSURE} for anything else (absent required keys, `null`, numbers
 * where strings are expected, `"true"`, `-0`, …). Returns `undefined` when
 * the schema uses a feature the compiler does not know: then Joi always runs.
 */
export function compile(description: Joi.Description | Description): Check | undefined {
  const d = description as Description;
  const flags = d.flags ?? {};
  const required = flags["presence"] === "required";
  if (!onlyKeys(flags, ["empty", "presence", "unknown"])) return undefined;
  if (
    flags["presence"] !== undefined &&
    flags["presence"] !== "required" &&
    flags["presence"] !== "optional"
  ) {
    return undefined;
  }
  // Values Joi treats as absent: only `null` and `""` are understood, and both are left to Joi.
  const empty = flags["empty"] as Description | undefined;
  const absent = empty === undefined ? [] : (empty.allow ?? []);
  if (empty !== undefined && !(empty.type === "any" && onlyKeys(empty, ["type", "flags", "allow"]))) {
    return undefined;
  }
  if (!absent.every((v) => v === null || v === "")) return undefined;
  const allow = d.allow ?? [];
  const rules = d.rules ?? [];
  const check = compileType(d, allow, rules, absent.includes(""));
  if (check === undefined) return undefined;
  // An absent optional key stays absent; a missing required one is Joi's to report.
  const missing = required ? UNSURE : undefined;
  return (value) => (value === undefined ? missing : check(value));
}

function compileType(
  d: Description,
  allow: unknown[],
  rules: NonNullable<Description["rules"]>,
  emptyIsAbsent: boolean,
): Check | undefined {
  const type = d.type ?? "";
  if (STRING_TYPES.has(type)) {
    if (!onlyKeys(d, ["type", "flags", "allow", "rules"])) return undefined;
    if (!allow.every((v) => v === "")) return undefined;
    if (!rules.every((rule) => rule.name === "min" && typeof rule.args?.["limit"] === "number"))
      return undefined;
    const min = Math.max(0, ...rules.map((rule) => rule.args?.["limit"] as number));
    const emptyAllowed = allow.includes("") && !emptyIsAbsent;
    return (value) =>
      typeof value === "string" && (value === "" ? emptyAllowed : value.length >= min) ? value : UNSURE;
  }
  if (allow.length > 0) return undefined;
  switch (type) {
    case "number":
      if (!onlyKeys(d, ["type", "flags", "rules"])) return undefined;
      if (rules.length !== 1 || rules[0]?.name !== "integer") return undefined;
      // Joi turns -0 into 0: left to Joi.
      return (value) => (Number.isSafeInteger(value) && !Object.is(value, -0) ? value : UNSURE);
    case "boolean":
      if (!onlyKeys(d, ["type", "flags"])) return undefined;
      return (value) => (typeof value === "boolean" ? value : UNSURE);
    case "array":
      return compileArray(d, rules);
    case "object":
      return compileObject(d, rules);
    default:
      return undefined;
  }
}

function compileArray(d: Description, rules: NonNullable<Description["rules"]>): Check | undefined {
  if (!onlyKeys(d, ["type", "flags", "items"]) || rules.length > 0 || d.items?.length !== 1) return undefined;
  const item = compile(d.items[0] as Description);
  if (item === undefined) return undefined;
  return (value) => {
    if (!Array.isArray(value)) return UNSURE;
    // Joi copies an array before validating its items.
    const copy = value.slice();
    for (let i = 0; i < copy.length; i++) {
      // Holes and `undefined` items are errors for Joi (arrays are not sparse).
      if (copy[i] === undefined) return UNSURE;
      const result = item(copy[i]);
      if (result === UNSURE) return UNSURE;
      copy[i] = result;
    }
    return copy;
  };
}

function compileObject(d: Description, rules: NonNullable<Description["rules"]>): Check | undefined {
  if (!onlyKeys(d, ["type", "flags", "keys"]) || rules.length > 0 || d.keys === undefined) return undefined;
  const keys: [string, Check][] = [];
  for (const [key, child] of Object.entries(d.keys)) {
    const check = compile(child);
    if (check === undefined) return undefined;
    keys.push([key, check]);
  }
  return (value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return UNSURE;
    // Joi's shallow copy: same prototype, own enumerable properties assigned.
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== Object.prototype) return UNSURE;
    const copy = Object.assign({}, value) as Record<string, unknown>;
    if (Object.getPrototypeOf(copy) !== Object.prototype) return UNSURE;
    for (const [key, check] of keys) {
      const item = copy[key];
      if (item === undefined && key in copy) return UNSURE;
      const result = check(item);
      if (result === UNSURE) return UNSURE;
      if (result !== item) copy[key] = result;
    }
    return copy;
  };
}

function onlyKeys(object: object, known: readonly string[]): boolean {
  return Object.keys(object).every((key) => known.includes(key));
}
