import Joi from "joi";

/**
 * Joi building blocks shared by the command schemas. Every optional field
 * treats `null` as absent: Tencent's samples are loose, and a `null` where a
 * value was expected carries no information worth failing a callback for.
 */

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
export function objectSchema<P>(keys: ExactSchemaMap<P>): Joi.ObjectSchema<P> {
  return Joi.object<P, true>(keys as Joi.StrictSchemaMap<P>).unknown(true);
}

/** An enumeration Tencent may extend: the known values for autocompletion, any string accepted. */
export type OpenString<Known extends string> = Known | (string & Record<never, never>);

const ACCOUNT = "account";

/**
 * The schema types whose string values pass through unchanged: `string`, and
 * `account`, which only converts numbers. The fast path in `validate.ts`
 * relies on it.
 */
export const STRING_TYPES: ReadonlySet<string> = new Set(["string", ACCOUNT]);

const accountType = Joi.extend({
  type: ACCOUNT,
  base: Joi.string(),
  coerce: {
    from: "number",
    // A user ID sent as a bare JSON number: the lossless parser already turned
    // the unsafe ones into strings, so what is left converts exactly.
    method: (value: unknown) => (Number.isSafeInteger(value) ? { value: String(value) } : { value }),
  },
});

/** A user ID: a string, or an integer sent as a bare JSON number, handed on as its exact decimal string. */
export function account(): Joi.StringSchema<string> {
  return (accountType.account() as Joi.StringSchema<string>).allow("").empty(null);
}

/** A free-text or identifier string; `""` allowed. */
export function text(): Joi.StringSchema<string> {
  return Joi.string().allow("").empty(null);
}

/** An integer; numeric strings convert. */
export function integer(): Joi.NumberSchema<number> {
  return Joi.number().integer().empty(null);
}

/** A boolean; the strings `"true"` and `"false"` convert. */
export function flag(): Joi.BooleanSchema<boolean> {
  return Joi.boolean().empty(null);
}

/** A list of user IDs. */
export function accountList(): Joi.ArraySchema<string[]> {
  return Joi.array().items(account()).empty(null);
}

/**
 * The room a required `RoomId` names; an event without its room cannot be
 * used. Numeric room IDs sent as bare numbers convert like user IDs.
 */
export function roomId(): Joi.StringSchema<string> {
  return (accountType.account() as Joi.StringSchema<string>).min(1).required();
}
