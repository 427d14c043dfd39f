import fc from "fast-check";
import Joi from "joi";
import { isDeepStrictEqual } from "node:util";
import {
  checkedSchema,
  fastCheck,
  Invalid,
  MAX_LIST_LENGTH,
  objectSchema,
  text,
  UNSURE,
} from "../lib/commands/fields";
import { COMMANDS } from "../lib/commands/registry";
import { isIdKey, parseJson } from "../lib/protocol/json";
import { validateEvent } from "../lib/core/validate";
import { samples } from "./helpers/fixtures";

// The fast check must answer exactly as Joi would, or not at all.
const prefs = { convert: true, abortEarly: true, allowUnknown: true } as const;

const noise = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom("", "true", "false", " TRUE ", "12", " 5", "+5", "5.0", "1e3", "1e400", ".5", "0x10", "-0"),
  fc.constantFrom(-0, null, undefined, 2 ** 60, 1.5, Infinity, "9007199254740993", "123456789012345678"),
  fc.integer(),
  fc.boolean(),
  fc.constant({ a: 1 }),
  fc.constant([1]),
);

// Every flag and rule a field's schema may carry, each with the values around it that the
// generator below must produce. A schema with anything else fails here first: teach the
// generator (and the fast check, in lib/commands/fields.ts) what it means.
const KNOWN_FLAGS = new Set(["empty", "presence", "unknown"]);

function boundary(limit: number): number[] {
  return [limit - 1, limit, limit + 1].filter((n) => n >= 0);
}

/** Values for a field, generated from its schema's description: its type, flags and rules. */
function arbitraryFor(d: Joi.Description): fc.Arbitrary<unknown> {
  for (const flag of Object.keys(d["flags"] ?? {})) {
    if (!KNOWN_FLAGS.has(flag)) throw new Error(`no generator for the flag ${flag} of a ${d.type} schema`);
  }
  const rules = (d["rules"] ?? []) as { name: string; args?: { limit?: number } }[];
  const extra: fc.Arbitrary<unknown>[] = [];
  let typed: fc.Arbitrary<unknown>;
  switch (d.type) {
    case "string":
    case "account":
      typed =
        d.type === "account"
          ? fc.oneof(
              { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
              { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -0, 2 ** 53, 1.5, "0")) },
            )
          : fc.string({ maxLength: 5 });
      for (const rule of rules) {
        if (rule.name !== "min" && rule.name !== "max")
          throw new Error(`no generator for the rule ${rule.name} of a ${d.type}`);
        extra.push(fc.constantFrom(...boundary(rule.args?.limit ?? 0).map((n) => "x".repeat(n))));
      }
      break;
    case "number":
      typed = fc.oneof(
        { weight: 4, arbitrary: fc.oneof(fc.integer(), fc.maxSafeInteger()) },
        { weight: 1, arbitrary: fc.oneof(fc.integer().map(String), fc.double(), fc.double().map(String)) },
      );
      for (const rule of rules) {
        if (rule.name === "integer") continue;
        if (rule.name !== "min" && rule.name !== "max")
          throw new Error(`no generator for the rule ${rule.name} of a number`);
        extra.push(fc.constantFrom(...boundary(rule.args?.limit ?? 0)));
      }
      break;
    case "boolean":
      if (rules.length > 0)
        throw new Error(`no generator for the rules of a boolean: ${JSON.stringify(rules)}`);
      typed = fc.oneof(fc.boolean(), fc.constantFrom("true", "False", " true", "yes"));
      break;
    case "array": {
      const item = arbitraryFor((d["items"] as Joi.Description[])[0] as Joi.Description);
      typed = fc.array(item, { maxLength: 3 });
      for (const rule of rules) {
        if (rule.name !== "max") throw new Error(`no generator for the rule ${rule.name} of an array`);
        // Filled with a value every item schema built here takes: null (absent) would be a
        // sparse item, so the item's own most usual valid value is used.
        const limit = rule.args?.limit ?? 0;
        extra.push(
          fc
            .constantFrom(...boundary(limit))
            .chain((n) => item.map((first) => [first, ...Array(n - 1).fill(first)])),
        );
      }
      break;
    }
    case "object":
      if (rules.length > 0)
        throw new Error(`no generator for the rules of an object: ${JSON.stringify(rules)}`);
      typed = recordFor(d);
      break;
    default:
      throw new Error(`no generator for a ${d.type} schema`);
  }
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { weight: 40, arbitrary: typed },
    { weight: 1, arbitrary: noise },
  ];
  // A list at its bound costs Joi thousands of items: rarer than the other boundaries.
  if (extra.length > 0)
    arbitraries.push({ weight: d.type === "array" ? 1 : 3, arbitrary: fc.oneof(...extra) });
  return fc.oneof(...arbitraries);
}

function recordFor(d: Joi.Description): fc.Arbitrary<Record<string, unknown>> {
  const keys = d["keys"] as Record<string, Joi.Description>;
  const model = Object.fromEntries(Object.entries(keys).map(([key, child]) => [key, arbitraryFor(child)]));
  // Plain objects, as a JSON parser makes them (null-prototype objects are Joi's to decide).
  return fc.record({ ...model, Unknown: noise }, { requiredKeys: [], noNullPrototype: true });
}

/** What Joi makes of a body: the value, or the message the router would send. */
function viaJoi(command: (typeof COMMANDS)[number], body: unknown): { value?: unknown; message?: string } {
  const { error, value } = command.schema.prefs(prefs).validate(body);
  return error ? { message: `invalid ${command.name} event: ${error.message}` } : { value };
}

/** What the router makes of a body: the event, or its 4002 message. */
function viaRouter(command: (typeof COMMANDS)[number], body: Record<string, unknown>) {
  try {
    const event = validateEvent(command.name, body) as unknown as Record<string, unknown>;
    delete event["CallbackCommand"];
    return { value: event };
  } catch (error) {
    return { message: (error as Error).message };
  }
}

describe.each(COMMANDS.map((command) => [command.name, command] as const))("%s", (_, command) => {
  const check = fastCheck(command.schema);

  it("has a fast check", () => expect(check).toBeDefined());

  it("answers exactly as Joi does, on bodies generated from its schema's rules, without touching the body", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(recordFor(command.schema.describe()), (body) => {
        const before = JSON.stringify(body);
        const joi = viaJoi(command, body);
        // The event may be the (top-level) body itself, never anything nested in it.
        const router = viaRouter(command, { ...body });
        // Joi looks at every item before a list's length; the router refuses a list over the
        // bound at once, whatever its items: both refuse, each with its own first reason.
        if (router.message?.includes(`more than ${MAX_LIST_LENGTH} entries`))
          expect(joi.message).toBeDefined();
        else expect(router.message).toBe(joi.message);
        if (joi.message === undefined) {
          valid++;
          expect(isDeepStrictEqual(router.value, joi.value)).toBe(true);
          expect(Object.keys(router.value as object)).toEqual(Object.keys(joi.value as object));
        } else invalid++;
        expect(JSON.stringify(body)).toBe(before);
      }),
      { numRuns: 1000, seed: 20261207 },
    );
    // Both sides of the check are exercised.
    expect(valid).toBeGreaterThan(40);
    expect(invalid).toBeGreaterThan(40);
  });

  it("never leaves a body parsed from JSON text to Joi", () => {
    fc.assert(
      fc.property(recordFor(command.schema.describe()), (body) => {
        const parsed = JSON.parse(JSON.stringify(body) ?? "{}") as unknown;
        expect(check?.(parsed)).not.toBe(UNSURE);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe("the parser's rule for user-ID fields", () => {
  /** Every key whose schema is a user ID or a list of them, with its path. */
  function idFields(d: Joi.Description, path: string): string[] {
    const keys = (d["keys"] ?? {}) as Record<string, Joi.Description>;
    return Object.entries(keys).flatMap(([key, child]) => {
      const item = (child["items"] as Joi.Description[] | undefined)?.[0];
      const own = child.type === "account" || item?.type === "account" ? [`${path}${key}`] : [];
      return [
        ...own,
        ...idFields(child, `${path}${key}.`),
        ...(item ? idFields(item, `${path}${key}[].`) : []),
      ];
    });
  }

  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    "%s: every user-ID field is one parseJson refuses fractions in",
    (_, command) => {
      const fields = idFields(command.schema.describe(), "");
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields)
        expect([
          field,
          isIdKey(
            field
              .split(/[.[\]]+/)
              .filter(Boolean)
              .pop() ?? "",
          ),
        ]).toEqual([field, true]);
    },
  );
});

describe("the fast checks mirror their schemas' rules", () => {
  /** Compares a schema's description with what its check was written for, all the way down. */
  function mirrored(schema: Joi.Schema, path: string): string[] {
    const record = checkedSchema(schema);
    if (record === undefined) return [`${path}: no fast check`];
    const { keys, items, ...own } = schema.describe() as Joi.Description & { keys?: object; items?: object };
    const problems: string[] = [];
    if (!isDeepStrictEqual(own, record.writtenFor)) {
      problems.push(
        `${path}: the schema is ${JSON.stringify(own)}, its check was written for ${JSON.stringify(record.writtenFor)}`,
      );
    }
    const children = record.children;
    if (keys !== undefined || items !== undefined || children !== undefined) {
      const names = Object.keys(keys ?? items ?? {});
      const childNames = Object.keys(children ?? {});
      if (!isDeepStrictEqual(names, childNames))
        problems.push(`${path}: children ${names} but checked ${childNames}`);
      for (const [name, child] of Object.entries(children ?? {}))
        problems.push(...mirrored(child, `${path}.${name}`));
    }
    return problems;
  }

  it.each(COMMANDS.map((command) => [command.name, command] as const))("%s", (name, command) => {
    expect(mirrored(command.schema, name)).toEqual([]);
  });

  it("notices a rule added to a field", () => {
    const schema = objectSchema<{ a?: string }>({ a: text() });
    expect(mirrored(schema, "s")).toEqual([]);
    const changed = text().max(64);
    expect(checkedSchema(changed)).toBeUndefined();
  });
});

describe("the fast path on Tencent's samples", () => {
  it.each(Object.entries(samples))("%s gives the same event as Joi", (command, text) => {
    const body = parseJson(text) as Record<string, unknown>;
    const definition = COMMANDS.find((entry) => entry.name === command);
    const viaJoi = definition?.schema.prefs(prefs).validate(parseJson(text));
    const event = validateEvent(command as (typeof COMMANDS)[number]["name"], body);
    expect(viaJoi?.error).toBeUndefined();
    expect(event).toEqual({ ...(viaJoi?.value as object), CallbackCommand: command });
  });

  it("takes the fast path for every sample, the update sample's string boolean included", () => {
    for (const command of COMMANDS) {
      const result = fastCheck(command.schema)?.(parseJson(samples[command.name]));
      expect(result).not.toBe(UNSURE);
      expect(result).not.toBeInstanceOf(Invalid);
    }
  });
});

describe("fastCheck", () => {
  it("has no check for a schema not built by the field builders, and neither has an object using one", () => {
    const foreign = Joi.string().trim();
    expect(fastCheck(foreign)).toBeUndefined();
    expect(fastCheck(objectSchema<{ a?: string; b?: string }>({ a: text(), b: foreign }))).toBeUndefined();
    expect(fastCheck(objectSchema<{ a?: string }>({ a: text() }))).toBeDefined();
  });

  it("leaves an object with another prototype or a hole in a list to Joi, and says where a value breaks the schema", () => {
    const check = fastCheck(COMMANDS[3].schema);
    expect(check?.(Object.create({ RoomId: "r" }))).toBe(UNSURE);
    // eslint-disable-next-line no-sparse-arrays
    expect(check?.({ RoomId: "r", MemberList_Account: ["a", , "b"] })).toBe(UNSURE);
    const missing = check?.({ MemberCount: 1 });
    expect(missing).toBeInstanceOf(Invalid);
    expect((missing as Invalid).path).toEqual(["RoomId"]);
    const deep = check?.({ RoomId: "r", MemberList_Account: ["a", true] });
    expect((deep as Invalid).path).toEqual(["MemberList_Account", 1]);
    expect((deep as Invalid).value).toBe(true);
    expect(check?.({ RoomId: "r", MemberList_Account: ["a", "b"] })).toEqual({
      RoomId: "r",
      MemberList_Account: ["a", "b"],
    });
  });

  it("makes -0 a 0 where Joi does, and refuses it as a user ID", () => {
    const check = fastCheck(COMMANDS[3].schema);
    expect(
      Object.is((check?.({ RoomId: "r", MemberCount: -0 }) as { MemberCount: number }).MemberCount, 0),
    ).toBe(true);
    expect(check?.({ RoomId: "r", Operator_Account: -0 })).toBeInstanceOf(Invalid);
    expect(() => validateEvent(COMMANDS[3].name, { RoomId: "r", Operator_Account: -0 })).toThrow(
      '"Operator_Account" is the number -0, which is no user ID',
    );
  });
});
