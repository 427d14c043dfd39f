import Joi from "joi";

/**
 * Joi building blocks shared by the command schemas. Every optional field
 * treats `null` as absent: Tencent's samples are loose, and a `null` where a
 * value was expected carries no information worth failing a callback for.
 *
 * Each builder also pairs its schema with a fast check: a plain function that
 * returns what Joi would (the normalised value, or where the value breaks the
 * schema) in time linear in the value's size, without Joi. Joi stays the
 * specification: it writes the error messages and decides values a JSON parser
 * cannot produce (objects with another prototype, holes in arrays). Each check
 * records the `describe()` of the schema it was written for; a test compares
 * that record with every schema in the registry, and property tests generated
 * from the schemas' rules compare check and Joi, so that neither can change
 * without the other.
 */

/** What a fast check returns for a value no JSON parser produces: Joi decides. */
export const UNSURE: unique symbol = Symbol("unsure");

/**
 * Where a value breaks its schema: the first failure in Joi's order. Its
 * `path` is filled in by the enclosing checks on the way out.
 */
export class Invalid {
  /** Keys and indexes from the body down to the value. */
  readonly path: (string | number)[] = [];
  /**
   * @param schema - the schema the value breaks, which writes the message.
   * @param value - the value, as it reached `schema`.
   * @param message - a message of our own, when Joi would not give it for `value` alone.
   */
  constructor(
    readonly schema: Joi.Schema,
    readonly value: unknown,
    readonly message?: (label: string) => string,
  ) {}
}

/** A fast check: the value Joi would produce, an {@link Invalid}, or {@link UNSURE}. */
export type Check = (value: unknown) => unknown;

/** A schema built here: its check, the description the check was written for, and its children. */
export interface CheckedSchema {
  /** The fast check. */
  readonly check: Check;
  /** The schema's `describe()` the check mirrors, without `keys` or `items` (see {@link children}). */
  readonly writtenFor: Readonly<Record<string, unknown>>;
  /** An object's field schemas by key, or a list's item schema under `"0"`. */
  readonly children?: Readonly<Record<string, Joi.Schema>>;
}

const checked = new WeakMap<Joi.Schema, CheckedSchema>();

/** The fast check paired with a schema built here; `undefined` for any other schema (Joi always runs). */
export function fastCheck(schema: Joi.Schema): Check | undefined {
  return checked.get(schema)?.check;
}

/** What {@link fastCheck}'s check was written for; `undefined` for a schema not built here. */
export function checkedSchema(schema: Joi.Schema): CheckedSchema | undefined {
  return checked.get(schema);
}

/**
 * The most entries a list field may have. Real rooms are far smaller (a
 * room holds at most a few thousand members, and a seat list a few dozen
 * seats); the bound keeps the work of one callback proportional to what a
 * room can produce. A longer list is refused with 400/4002.
 */
export const MAX_LIST_LENGTH = 10_000;

/** `describe()` of `.empty(null)` and of `.empty(Joi.valid(null, ""))`. */
const EMPTY_NULL = { type: "any", flags: { only: true }, allow: [null] };
const EMPTY_NULL_OR_BLANK = { type: "any", flags: { only: true }, allow: [null, ""] };

function paired<S extends Joi.Schema>(
  schema: S,
  check: Check,
  writtenFor: Record<string, unknown>,
  children?: Record<string, Joi.Schema>,
): S {
  checked.set(schema, children === undefined ? { check, writtenFor } : { check, writtenFor, children });
  return schema;
}

/**
 * A schema key for every field of `P`, each of the kind its type needs.
 * Stricter than Joi's own `StrictSchemaMap`, where an optional field's
 * `undefined` distributes to `StringSchema` and so accepts a string schema for
 * any optional field.
 */
export type ExactSchemaMap<P> = { [K in keyof P]-?: Joi.ObjectPropertiesSchema<Exclude<P[K], undefined>> };

/** Whether `record` has fewer than `count` enumerable keys, counting no further than `count`. */
function fewerKeysThan(record: object, count: number): boolean {
  let keys = 0;
  for (const key in record) {
    if (++keys >= count) return false;
    void key;
  }
  return true;
}

function isInvalid(result: unknown): result is Invalid {
  // The typeof test first: `instanceof` on every converted string would cost a lookup each.
  return typeof result === "object" && result instanceof Invalid;
}

/**
 * An object schema tied to the interface `P`: a field without a schema key, a
 * key without a field, or a key of the wrong kind is a compile error. Unknown
 * fields pass: Tencent adds fields over time.
 */
export function objectSchema<P>(
  keys: ExactSchemaMap<P>,
  options: { required?: boolean } = {},
): Joi.ObjectSchema<P> {
  let schema = Joi.object<P, true>(keys as Joi.StrictSchemaMap<P>).unknown(true);
  if (options.required) schema = schema.required();
  const children = keys as Record<string, Joi.Schema>;
  const fields: [string, Check][] = [];
  for (const [key, child] of Object.entries(children)) {
    const check = fastCheck(child);
    // A field built elsewhere has no fast check: the whole object is then Joi's.
    if (check === undefined) return schema;
    fields.push([key, check]);
  }
  const required = options.required === true;
  // A required field must be looked at even when absent: such objects are walked field by field.
  // $_getFlag, not describe(): Joi's browser build (the fetch entry's, in isolates) has no describe().
  const requiredFields = Object.values(children).some((child) => child.$_getFlag("presence") === "required");
  const check: Check = (value) => {
    if (value === undefined) return required ? new Invalid(schema, value) : undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return new Invalid(schema, value);
    if (Object.getPrototypeOf(value) !== Object.prototype) return UNSURE;
    const record = value as Record<string, unknown>;
    // Without required fields, only the fields present need a look: an object's own keys,
    // when they are fewer than the schema's, are the cheaper walk (a list of `{}` costs no
    // more than JSON.parse spent making it).
    if (!requiredFields && fewerKeysThan(record, fields.length)) {
      let copy: Record<string, unknown> | undefined;
      for (const key in record) {
        const fieldCheck = checksByKey.get(key);
        if (fieldCheck === undefined) continue;
        const item = record[key];
        const result = fieldCheck(item);
        if (Object.is(result, item)) continue;
        // Joi reports the first failure in the schema's order: the full walk finds it.
        if (result === UNSURE || isInvalid(result)) return inSchemaOrder(record);
        copy ??= Object.assign({}, record) as Record<string, unknown>;
        if (result === undefined) delete copy[key];
        else copy[key] = result;
      }
      if (copy !== undefined && Object.getPrototypeOf(copy) !== Object.prototype) return UNSURE;
      return copy ?? record;
    }
    return inSchemaOrder(record);
  };
  const checksByKey = new Map(fields);
  /** The fields in the schema's order, as Joi walks them. */
  const inSchemaOrder = (record: Record<string, unknown>): unknown => {
    // Joi's result is a shallow copy with the same keys in the same order; made only when a
    // field changes, so a body already in normal form costs no allocation.
    let copy: Record<string, unknown> | undefined;
    for (const [key, fieldCheck] of fields) {
      const item = record[key];
      const result = fieldCheck(item);
      // Object.is: Joi turns -0 into 0, a change `===` does not see.
      if (Object.is(result, item)) continue;
      if (result === UNSURE) return UNSURE;
      if (isInvalid(result)) {
        result.path.unshift(key);
        return result;
      }
      if (copy === undefined) {
        copy = Object.assign({}, record) as Record<string, unknown>;
        // An own `__proto__` key would have set the copy's prototype: Joi's to judge.
        if (Object.getPrototypeOf(copy) !== Object.prototype) return UNSURE;
      }
      // Joi deletes a key its schema made absent, and keeps one that was `undefined` already.
      if (result === undefined) delete copy[key];
      else copy[key] = result;
    }
    return copy ?? record;
  };
  return paired(
    schema,
    check,
    required
      ? { type: "object", flags: { unknown: true, presence: "required" } }
      : { type: "object", flags: { unknown: true } },
    children,
  );
}

const LIST_MESSAGES = {
  "array.max":
    "{{#label}} has more than {{#limit}} entries, more than any room has: the callback is refused to bound the work it costs",
};

/** Joi's `array.max` message: the check writes it without Joi, which would look at every item first. */
function tooLong(label: string): string {
  return LIST_MESSAGES["array.max"]
    .replace("{{#label}}", label)
    .replace("{{#limit}}", String(MAX_LIST_LENGTH));
}

/** A list of `item`, at most {@link MAX_LIST_LENGTH} long. */
export function list<T>(item: Joi.Schema<T>): Joi.ArraySchema<T[]> {
  const schema = Joi.array()
    .items(item)
    .max(MAX_LIST_LENGTH)
    .empty(null)
    .messages(LIST_MESSAGES) as Joi.ArraySchema<T[]>;
  const itemCheck = fastCheck(item);
  if (itemCheck === undefined) return schema;
  const check: Check = (value) => {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return new Invalid(schema, value);
    // Joi checks the items first and the length after; checking the length first bounds the work.
    if (value.length > MAX_LIST_LENGTH) return new Invalid(schema, value, tooLong);
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const entry: unknown = value[i];
      // A hole (or an `undefined` entry) is a sparse item for Joi: no JSON parser makes one.
      if (entry === undefined) return UNSURE;
      const result = itemCheck(entry);
      if (Object.is(result, entry)) continue;
      if (result === UNSURE) return UNSURE;
      if (isInvalid(result)) {
        result.path.unshift(i);
        return result;
      }
      if (result === undefined) {
        const sparse = new Invalid(schema, entry, (label) => `${label} must not be a sparse array item`);
        sparse.path.push(i);
        return sparse;
      }
      // Joi's result is a copy, made here only when an entry changes.
      copy ??= value.slice();
      copy[i] = result;
    }
    return copy ?? value;
  };

  return paired(
    schema,
    check,
    {
      type: "array",
      flags: { empty: EMPTY_NULL },
      rules: [{ name: "max", args: { limit: MAX_LIST_LENGTH } }],
      preferences: { messages: LIST_MESSAGES },
    },
    { 0: item },
  );
}

/** An enumeration Tencent may extend: the known values for autocompletion, any string accepted. */
export type OpenString<Known extends string> = Known | (string & Record<never, never>);

const ACCOUNT_MESSAGES = {
  "account.unsafe":
    "{{#label}} is a number beyond 2^53 whose exact digits were lost before the router read the body: mount the router before express.json() (or any body parser), or exclude its path",
  "account.negativeZero": "{{#label}} is the number -0, which is no user ID: send user IDs as strings",
};

/**
 * A user ID sent as a bare JSON number, as its exact decimal string; or the
 * error key why it cannot be one; or the number itself when it is no integer
 * (the string type then refuses it). The lossless parser already turned the
 * unsafe ones into strings and refused fractions and exponents, so what is
 * left converts exactly; one that is still unsafe was parsed by someone else,
 * and rounded.
 */
function accountFromNumber(value: number): { value: unknown } | { error: keyof typeof ACCOUNT_MESSAGES } {
  if (Object.is(value, -0)) return { error: "account.negativeZero" };
  if (Number.isSafeInteger(value)) return { value: String(value) };
  if (Number.isInteger(value)) return { error: "account.unsafe" };
  return { value };
}

const accountType = Joi.extend({
  type: "account",
  base: Joi.string(),
  messages: ACCOUNT_MESSAGES,
  coerce: {
    from: "number",
    method: (value: number, helpers: Joi.CustomHelpers) => {
      const result = accountFromNumber(value);
      return "error" in result ? { errors: [helpers.error(result.error)] } : result;
    },
  },
});

function accountSchema(): Joi.StringSchema<string> {
  return accountType.account() as Joi.StringSchema<string>;
}

/** A user ID's check: `blank` is what `""` becomes (itself, absent, or a failure). */
function accountCheck(schema: Joi.Schema, blank: "keep" | "absent" | "invalid", required = false): Check {
  return (value) => {
    if (typeof value === "string") {
      if (value !== "" || blank === "keep") return value;
      return blank === "absent" ? undefined : new Invalid(schema, value);
    }
    if (value === undefined) return required ? new Invalid(schema, value) : undefined;
    if (typeof value === "number") {
      // accountFromNumber's answer for the usual case, without allocating it.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      return new Invalid(schema, value);
    }
    if (value === null && !required) return undefined;
    return new Invalid(schema, value);
  };
}

/**
 * A user ID: a string, or an integer sent as a bare JSON number, handed on as
 * its exact decimal string. With `emptyIsAbsent`, `""` counts as absent too
 * (an empty seat).
 */
export function account(options: { emptyIsAbsent?: boolean } = {}): Joi.StringSchema<string> {
  if (options.emptyIsAbsent) {
    const schema = accountSchema().empty(Joi.valid(null, ""));
    return paired(schema, accountCheck(schema, "absent"), {
      type: "account",
      flags: { empty: EMPTY_NULL_OR_BLANK },
    });
  }
  const schema = accountSchema().allow("").empty(null);
  return paired(schema, accountCheck(schema, "keep"), {
    type: "account",
    flags: { empty: EMPTY_NULL },
    allow: [""],
  });
}

/** A free-text or identifier string; `""` allowed. */
export function text(): Joi.StringSchema<string> {
  const schema = Joi.string().allow("").empty(null);
  return paired(
    schema,
    (value) => {
      if (typeof value === "string" || value === undefined) return value;
      return value === null ? undefined : new Invalid(schema, value);
    },
    { type: "string", flags: { empty: EMPTY_NULL }, allow: [""] },
  );
}

/** An integer; numeric strings convert. */
export function integer(): Joi.NumberSchema<number> {
  const schema = Joi.number().integer().empty(null);
  return paired(
    schema,
    (value) => {
      if (typeof value === "number") {
        if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
        return new Invalid(schema, value);
      }
      if (value === undefined) return undefined;
      if (value === null) return undefined;
      if (typeof value === "string") {
        // The usual numeric string, a canonical safe integer, reads as itself; Joi's rules for the rest.
        if (CANONICAL_INTEGER.test(value)) return Number(value);
        // Joi's (and the rules below') regular expressions take time quadratic in a run of zeros:
        // a longer string is refused unread, with Joi's own words.
        if (value.length > MAX_NUMERIC_STRING) return new Invalid(schema, value, notANumber);
        const number = numberFromString(value);
        return number !== undefined && Number.isSafeInteger(number) ? number : new Invalid(schema, value);
      }
      return new Invalid(schema, value);
    },
    { type: "number", flags: { empty: EMPTY_NULL }, rules: [{ name: "integer" }] },
  );
}

const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;

/**
 * The longest numeric string an integer field converts: far beyond any
 * integer's digits with padding, short enough that no regular expression
 * over it costs anything.
 */
export const MAX_NUMERIC_STRING = 64;

const notANumber = (label: string): string => `${label} must be a number`;

// Joi's conversion of a numeric string (joi/lib/types/number.js), for schemas without `.unsafe()`.
const NUMBER = /^\s*[+-]?(?:(?:\d+(?:\.\d*)?)|(?:\.\d+))(?:e([+-]?\d+))?\s*$/i;

/** The number Joi makes of a string, or `undefined` when Joi refuses it (not numeric, or not exact). */
function numberFromString(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const trimmed = text.trim();
  const value = parseFloat(trimmed);
  const normal = value === 0 ? 0 : value;
  if (/e/i.test(trimmed)) {
    return significantDigits(trimmed) === significantDigits(String(normal)) ? normal : undefined;
  }
  const written = normal.toString();
  if (/e/i.test(written)) return normal;
  return written === normalDecimal(trimmed) ? normal : undefined;
}

function significantDigits(text: string): string {
  return text
    .replace(/[eE][+-]?\d+$/, "")
    .replace(/\./, "")
    .replace(/0+$/, "")
    .replace(/^[+-]?(0*)?/, "");
}

function normalDecimal(text: string): string {
  let normal = text
    .replace(/^\+/, "")
    .replace(/\.0*$/, "")
    .replace(/^(-?)\.([^.]*)$/, "$10.$2")
    .replace(/^(-?)0+([0-9])/, "$1$2");
  if (normal.includes(".") && normal.endsWith("0")) normal = normal.replace(/0+$/, "");
  return normal === "-0" ? "0" : normal;
}

/** A boolean; the strings `"true"` and `"false"` convert. */
export function flag(): Joi.BooleanSchema<boolean> {
  const schema = Joi.boolean().empty(null);
  return paired(
    schema,
    (value) => {
      if (typeof value === "boolean" || value === undefined) return value;
      if (value === null) return undefined;
      if (value === "true") return true;
      if (value === "false") return false;
      if (typeof value === "string") {
        const normal = value.trim().toLowerCase();
        if (normal === "true") return true;
        if (normal === "false") return false;
      }
      return new Invalid(schema, value);
    },
    { type: "boolean", flags: { empty: EMPTY_NULL } },
  );
}

/** A list of user IDs. */
export function accountList(): Joi.ArraySchema<string[]> {
  return list(account());
}

/**
 * The room a required `RoomId` names; an event without its room cannot be
 * used. Numeric room IDs sent as bare numbers convert like user IDs.
 */
export function roomId(): Joi.StringSchema<string> {
  const schema = accountSchema().min(1).required();
  return paired(schema, accountCheck(schema, "invalid", true), {
    type: "account",
    flags: { presence: "required" },
    rules: [{ name: "min", args: { limit: 1 } }],
  });
}
