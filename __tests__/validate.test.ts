import fc from "fast-check";
import Joi from "joi";
import { isDeepStrictEqual } from "node:util";
import { fastCheck, objectSchema, text, UNSURE } from "../lib/commands/fields";
import { COMMANDS } from "../lib/commands/registry";
import { parseJson } from "../lib/protocol/json";
import { validateEvent } from "../lib/core/validate";
import { samples } from "./helpers/fixtures";

// The fast check must answer exactly as Joi would, or not at all.
const prefs = { convert: true, abortEarly: true, allowUnknown: true } as const;

const noise = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom("", "true", "false", "12", " 5", "1e3", -0, null, undefined, 2 ** 60, 1.5),
  fc.integer(),
  fc.boolean(),
  fc.constant({ a: 1 }),
  fc.constant([1]),
);

/** Mostly values of the described type, sometimes anything: most bodies valid, some not. */
function arbitraryFor(d: Joi.Description): fc.Arbitrary<unknown> {
  let typed: fc.Arbitrary<unknown>;
  switch (d.type) {
    case "string":
    case "account":
      typed = fc.string({ maxLength: 5 });
      break;
    case "number":
      typed = fc.oneof(fc.integer(), fc.maxSafeInteger());
      break;
    case "boolean":
      typed = fc.boolean();
      break;
    case "array":
      typed = fc.array(arbitraryFor((d["items"] as Joi.Description[])[0] as Joi.Description), {
        maxLength: 3,
      });
      break;
    default:
      typed = recordFor(d);
  }
  return fc.oneof({ weight: 12, arbitrary: typed }, { weight: 1, arbitrary: noise });
}

function recordFor(d: Joi.Description): fc.Arbitrary<Record<string, unknown>> {
  const keys = d["keys"] as Record<string, Joi.Description>;
  const model = Object.fromEntries(Object.entries(keys).map(([key, child]) => [key, arbitraryFor(child)]));
  return fc.record({ ...model, Unknown: noise }, { requiredKeys: [] });
}

describe.each(COMMANDS.map((command) => [command.name, command] as const))("%s", (_, command) => {
  const schema = command.schema.prefs(prefs);
  const check = fastCheck(command.schema);

  it("has a fast check", () => expect(check).toBeDefined());

  it("answers only with what Joi returns, without touching the body", () => {
    let answered = 0;
    fc.assert(
      fc.property(recordFor(command.schema.describe()), (body) => {
        const before = JSON.stringify(body);
        const fast = check?.(body);
        if (fast === UNSURE) return;
        answered++;
        const { error, value } = schema.validate(body);
        expect(error).toBeUndefined();
        expect(isDeepStrictEqual(fast, value)).toBe(true);
        expect(Object.keys(fast as object)).toEqual(Object.keys(value as object));
        expect(JSON.stringify(body)).toBe(before);
      }),
      { numRuns: 2000, seed: 20261122 },
    );
    // Most generated bodies are valid and in normal form: the fast path must be taking them.
    expect(answered).toBeGreaterThan(40);
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

  it("takes the fast path for samples already in normal form, not for the update sample's string boolean", () => {
    const fastOnes = COMMANDS.filter(
      (command) => fastCheck(command.schema)?.(parseJson(samples[command.name])) !== UNSURE,
    ).map((command) => command.name);
    expect(fastOnes).toEqual(
      COMMANDS.map((c) => c.name).filter((name) => name !== "Room.CallbackAfterUpdateRoomInfo"),
    );
  });
});

describe("fastCheck", () => {
  it("has no check for a schema not built by the field builders, and neither has an object using one", () => {
    const foreign = Joi.string().trim();
    expect(fastCheck(foreign)).toBeUndefined();
    expect(fastCheck(objectSchema<{ a?: string; b?: string }>({ a: text(), b: foreign }))).toBeUndefined();
    expect(fastCheck(objectSchema<{ a?: string }>({ a: text() }))).toBeDefined();
  });

  it("leaves an object with another prototype, a required key missing, or a hole in a list to Joi", () => {
    const check = fastCheck(COMMANDS[3].schema);
    expect(check?.(Object.create({ RoomId: "r" }))).toBe(UNSURE);
    expect(check?.({ MemberCount: 1 })).toBe(UNSURE);
    // eslint-disable-next-line no-sparse-arrays
    expect(check?.({ RoomId: "r", MemberList_Account: ["a", , "b"] })).toBe(UNSURE);
    expect(check?.({ RoomId: "r", MemberList_Account: ["a", "b"] })).toEqual({
      RoomId: "r",
      MemberList_Account: ["a", "b"],
    });
  });
});
