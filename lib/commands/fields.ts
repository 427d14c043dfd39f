import Joi from "joi";

/**
 * Joi building blocks shared by the command schemas. Every optional field
 * treats `null` as absent: Tencent's samples are loose, and a `null` where a
 * value was expected carries no information worth failing a callback for.
 *
 * Each builder also pairs its schema with a fast check: a plain function that
 * returns the value Joi would return for a value already in normal form (the
 * usual case), and {@link UNSURE} for anything else, which Joi then decides.
 * Pairing the two here, field by field, keeps them side by side without
 * reading Joi's internals; a test compares them on random bodies.
 */

/** What a fast check returns when it cannot vouch for a value: Joi decides. */
export const UNSURE: unique symbol = Symbol("unsure");

/** A fast check: the value Joi would produce, or {@link UNSURE}. */
export type Check = (value: unknown) => unknown;

const checks = new WeakMap<Joi.Schema, Check>();

/** The fast check paired with a schema built here; `undefined` for any other schema (Joi always runs). */
export function fastCheck(schema: Joi.Schema): Check | undefined {
  return checks.get(schema);
}

/** Pairs `schema` with the check of a present value; an absent value stays absent, or is Joi's to report when required. */
function paired<S extends Joi.Schema>(schema: S, present: Check, required = false): S {
  const missing = required ? UNSURE : undefined;
  checks.set(schema, (value) => (value === undefined ? missing : present(value)));
  return schema;
}

/**
 * A schema key for every field of `P`, each of the kind its type needs.
 * Stricter than Joi's own `StrictSchemaMap`, where an optional field's
 * `undefined` distributes to `StringSchema` and so accepts a string schema for
 * any optional field.
 */
export type ExactSchemaMap<P> = { [K in keyof P]-?: Joi.ObjectPropertiesSchema<Exclude<P[K], undefined>> };

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
  const fields: [string, Check][] = [];
  for (const [key, child] of Object.entries(keys as Record<string, Joi.Schema>)) {
    const check = fastCheck(child);
    // A field built elsewhere has no fast check: the whole object is then Joi's.
    if (check === undefined) return schema;
    fields.push([key, check]);
  }
  return paired(
    schema,
    (value) => {
      if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) {
        return UNSURE;
      }
      // Joi's result is a shallow copy with the same keys in the same order.
      const copy = Object.assign({}, value) as Record<string, unknown>;
      // An own `__proto__` key would have set the copy's prototype: Joi's to judge.
      if (Object.getPrototypeOf(copy) !== Object.prototype) return UNSURE;
      for (const [key, check] of fields) {
        const item = copy[key];
        const result = check(item);
        if (result === UNSURE) return UNSURE;
        if (result !== item) copy[key] = result;
      }
      return copy;
    },
    options.required,
  );
}

/** A list of `item`; Joi's result is a copy. */
export function list<T>(item: Joi.Schema<T>): Joi.ArraySchema<T[]> {
  const schema = Joi.array().items(item).empty(null) as Joi.ArraySchema<T[]>;
  const check = fastCheck(item);
  if (check === undefined) return schema;
  return paired(schema, (value) => {
    if (!Array.isArray(value)) return UNSURE;
    const copy = value.slice();
    for (let i = 0; i < copy.length; i++) {
      // An absent item (a hole) is an error for Joi.
      const result = copy[i] === undefined ? UNSURE : check(copy[i]);
      if (result === UNSURE) return UNSURE;
      copy[i] = result;
    }
    return copy;
  });
}

/** An enumeration Tencent may extend: the known values for autocompletion, any string accepted. */
export type OpenString<Known extends string> = Known | (string & Record<never, never>);

const accountType = Joi.extend({
  type: "account",
  base: Joi.string(),
  messages: {
    "account.unsafe":
      "{{#label}} is a number beyond 2^53 whose exact digits were lost before the router read the body: mount the router before express.json() (or any body parser), or exclude its path",
  },
  coerce: {
    from: "number",
    // A user ID sent as a bare JSON number: the lossless parser already turned
    // the unsafe ones into strings, so what is left converts exactly. One that
    // is still unsafe was parsed by someone else, and rounded.
    method: (value: unknown, helpers: Joi.CustomHelpers) => {
      if (Number.isSafeInteger(value)) return { value: String(value) };
      if (Number.isInteger(value)) return { errors: [helpers.error("account.unsafe")] };
      return { value };
    },
  },
});

function accountSchema(): Joi.StringSchema<string> {
  return accountType.account() as Joi.StringSchema<string>;
}

const anyString: Check = (value) => (typeof value === "string" ? value : UNSURE);
const nonEmptyString: Check = (value) => (typeof value === "string" && value !== "" ? value : UNSURE);

/**
 * A user ID: a string, or an integer sent as a bare JSON number, handed on as
 * its exact decimal string. With `emptyIsAbsent`, `""` counts as absent too
 * (an empty seat).
 */
export function account(options: { emptyIsAbsent?: boolean } = {}): Joi.StringSchema<string> {
  return options.emptyIsAbsent
    ? paired(accountSchema().empty(Joi.valid(null, "")), nonEmptyString)
    : paired(accountSchema().allow("").empty(null), anyString);
}

/** A free-text or identifier string; `""` allowed. */
export function text(): Joi.StringSchema<string> {
  return paired(Joi.string().allow("").empty(null), anyString);
}

/** An integer; numeric strings convert. */
export function integer(): Joi.NumberSchema<number> {
  // Joi turns -0 into 0: left to Joi.
  return paired(Joi.number().integer().empty(null), (value) =>
    Number.isSafeInteger(value) && !Object.is(value, -0) ? value : UNSURE,
  );
}

/** A boolean; the strings `"true"` and `"false"` convert. */
export function flag(): Joi.BooleanSchema<boolean> {
  return paired(Joi.boolean().empty(null), (value) => (typeof value === "boolean" ? value : UNSURE));
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
  return paired(accountSchema().min(1).required(), nonEmptyString, true);
}
