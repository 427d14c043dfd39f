import Joi from "joi";
import { COMMANDS, type CallbackCommand, type CallbackEvent } from "./commands/registry";
import { STRING_TYPES } from "./commands/fields";
import { ErrorCodes, InvalidEventError } from "./errors";

/**
 * What a schema check returns when it cannot vouch for a value: Joi decides.
 * A check only ever answers for values Joi would accept unchanged.
 */
const UNSURE: unique symbol = Symbol("unsure");

type Check = (value: unknown) => unknown;

// Terms that only document a schema.
const DOCUMENTATION_TERMS = new Set(["metas", "notes", "tags", "examples"]);

interface Validator {
  readonly schema: Joi.ObjectSchema;
  readonly check: Check | undefined;
}

// Everything is compiled once, at load: Joi's preferences into each schema, and
// from each schema a direct check for bodies that are already in normal form
// (the usual case), which answers in a fraction of Joi's time.
const validators = new Map<CallbackCommand, Validator>(
  COMMANDS.map((command) => [
    command.name as CallbackCommand,
    {
      schema: command.schema.prefs({ convert: true, abortEarly: true, allowUnknown: true }),
      check: compileSchema(command.schema),
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

/** The shape of `Joi.Description` (what `schema.describe()` returns) that the compiler reads. */
interface Description {
  type?: string;
  flags?: Record<string, unknown>;
  allow?: unknown[];
  rules?: { name: string; args?: Record<string, unknown> }[];
  keys?: Record<string, Description>;
  items?: Description[];
  [other: string]: unknown;
}

/** A schema's state as Joi keeps it: what `describe()` reports, without its cost. */
interface SchemaState {
  type: string;
  _flags: Record<string, unknown>;
  _rules: { name: string; args?: Record<string, unknown> | null }[];
  _valids: { _values: Set<unknown>; _refs: Set<unknown> } | null;
  _invalids: unknown;
  _preferences: unknown;
  _refs: { refs: unknown[] };
  $_terms: Record<string, unknown[] | null>;
}

/**
 * Reads a schema into the shape of its description. `describe()` itself
 * would do, but describing the six command schemas takes longer than loading
 * Joi. Whatever this does not map (references, conditions, preferences,
 * unfamiliar terms) is passed through under its own name, so that
 * {@link compile} sees it and declines.
 */
function view(schema: Joi.Schema): Description {
  const state = schema as unknown as SchemaState;
  const d: Description = { type: state.type };
  const flags: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state._flags)) {
    // Like `describe()`, skip Joi's private flags.
    if (name.startsWith("_")) continue;
    flags[name] = Joi.isSchema(value) ? view(value) : value;
  }
  if (Object.keys(flags).length > 0) d.flags = flags;
  if (state._valids !== null) {
    d.allow = [...state._valids._values];
    if (state._valids._refs.size > 0) d["allowReferences"] = true;
  }
  if (state._invalids !== null) d["invalid"] = state._invalids;
  if (state._preferences !== null) d["preferences"] = state._preferences;
  if (state._refs.refs.length > 0) d["references"] = state._refs.refs;
  // An array's `items()` is a rule as well as a term; the term says it all.
  const rules = state._rules.filter((rule) => !(state.type === "array" && rule.name === "items"));
  if (rules.length > 0) d.rules = rules.map(({ name, args }) => (args ? { name, args } : { name }));
  for (const [term, value] of Object.entries(state.$_terms)) {
    if (value === null || (Array.isArray(value) && value.length === 0) || DOCUMENTATION_TERMS.has(term))
      continue;
    if (term === "keys") {
      const children = value as { key: string; schema: Joi.Schema }[];
      d.keys = Object.fromEntries(children.map(({ key, schema: child }) => [key, view(child)]));
    } else if (term === "items") {
      d.items = (value as Joi.Schema[]).map(view);
    } else if (term !== "_inclusions" || state.type !== "array") {
      // (An array's optional items are listed again as its inclusions.)
      d[term] = value;
    }
  }
  return d;
}

/**
 * The fast check for a schema (see {@link compile}), or `undefined` when Joi
 * must always run. Assumes the preferences `validateEvent` uses:
 * `convert` and `allowUnknown` on.
 */
export function compileSchema(schema: Joi.Schema): Check | undefined {
  return compile(view(schema));
}

/**
 * Compiles a schema description into a check that returns exactly what Joi
 * would return for values that need no conversion and no removal, and
 * {@link UNSURE} for anything else (absent required keys, `null`, numbers
 * where strings are expected, `"true"`, `-0`, …). Returns `undefined` when
 * the schema uses a feature the compiler does not know: then Joi always runs.
 */
function compile(d: Description): Check | undefined {
  const flags = d.flags ?? {};
  const required = flags["presence"] === "required";
  // Keys a schema does not list pass (`allowUnknown` is on), unless the schema itself says otherwise.
  if (flags["unknown"] === false) return undefined;
  // `label` and `description` only change messages and documentation.
  if (!onlyKeys(flags, ["empty", "presence", "unknown", "label", "description"])) return undefined;
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
  if (empty !== undefined && !isValueList(empty)) return undefined;
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
    // Only `min(n)`, counted in UTF-16 units as `value.length` does.
    const limits = rules.map((rule) =>
      rule.name === "min" && rule.args !== undefined && onlyKeys(rule.args, ["limit", "encoding"])
        ? rule.args["encoding"] === undefined && rule.args["limit"]
        : undefined,
    );
    if (!limits.every((limit) => typeof limit === "number")) return undefined;
    const min = Math.max(0, ...(limits as number[]));
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

/** Whether a schema is `Joi.valid(…)`: exactly its listed values. */
function isValueList(d: Description): boolean {
  return (
    d.type === "any" &&
    onlyKeys(d, ["type", "flags", "allow"]) &&
    d.flags?.["only"] === true &&
    onlyKeys(d.flags, ["only"])
  );
}

function onlyKeys(object: object, known: readonly string[]): boolean {
  return Object.keys(object).every((key) => known.includes(key));
}
