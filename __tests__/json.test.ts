import fc from "fast-check";
import { InexactIdError, parseJson, quoteLongIntegers, sanitize, stringifyJson } from "../lib/protocol/json";

describe("parseJson", () => {
  it("keeps integers beyond 2^53 exact, as strings", () => {
    expect(parseJson('{"a":144115233775727695,"b":[-9007199254740993]}')).toEqual({
      a: "144115233775727695",
      b: ["-9007199254740993"],
    });
  });

  it("leaves numbers of 15 digits or fewer as numbers", () => {
    expect(parseJson('{"t":1670574414123,"n":123456789012345}')).toEqual({
      t: 1670574414123,
      n: 123456789012345,
    });
  });

  it("does not touch long digit runs inside strings, fractions or exponents", () => {
    const text =
      '{"s":"1234567890123456789","f":1.2345678901234567,"e":12345678901234567e2,"esc":"\\"12345678901234567"}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it("drops __proto__ and constructor keys at every depth", () => {
    const value = parseJson(
      '{"__proto__":{"x":1},"a":[{"constructor":{"prototype":{"y":2}}}],"ok":1}',
    ) as Record<string, unknown>;
    expect(value).toEqual({ a: [{}], ok: 1 });
    expect(Object.prototype.hasOwnProperty.call(value, "__proto__")).toBe(false);
  });

  it("still throws SyntaxError on invalid JSON, long digits or not", () => {
    expect(() => parseJson("{1234567890123456789}")).toThrow(SyntaxError);
    expect(() => parseJson('{"a":1,}')).toThrow(SyntaxError);
  });

  it("does not make invalid JSON valid by quoting a long integer used as a key or with a leading zero", () => {
    expect(() => parseJson('{"a":1,1234567890123456789:1}')).toThrow(SyntaxError);
    expect(() => parseJson("{1234567890123456789 \n : 1}")).toThrow(SyntaxError);
    expect(() => parseJson('{"a":01234567890123456789}')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":-01234567890123456789}')).toThrow(SyntaxError);
    expect(parseJson('{"a":-1234567890123456789 ,"b":[1234567890123456789\t]}')).toEqual({
      a: "-1234567890123456789",
      b: ["1234567890123456789"],
    });
  });
});

describe("quoteLongIntegers", () => {
  it("returns the same string when there is nothing to quote", () => {
    const text = '{"a":"12345678901234567890"}';
    expect(quoteLongIntegers(text)).toBe(text);
  });

  it("quotes a top-level long integer", () => {
    expect(quoteLongIntegers("12345678901234567890")).toBe('"12345678901234567890"');
  });
});

describe("sanitize", () => {
  it("walks deeply nested values without recursion", () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) {
      const next: Record<string, unknown> = {};
      deep["n"] = next;
      deep = next;
    }
    Object.defineProperty(deep, "__proto__", {
      value: { polluted: true },
      enumerable: true,
      configurable: true,
    });
    expect(() => sanitize(root)).not.toThrow();
    expect(Object.prototype.hasOwnProperty.call(deep, "__proto__")).toBe(false);
  });
});

describe("sanitize on values other middleware made", () => {
  it("ends on a cycle and on objects shared 2^40 ways, cleaning each", () => {
    const cycle: Record<string, unknown> = { constructor: { x: 1 }, list: [] };
    (cycle["list"] as unknown[]).push(cycle);
    expect(sanitize(cycle)).toBe(cycle);
    expect(Object.keys(cycle)).toEqual(["list"]);
    const leaf: Record<string, unknown> = { constructor: 1, keep: 2 };
    let node: unknown = leaf;
    for (let i = 0; i < 40; i++) node = [node, { n: node }];
    sanitize(node);
    expect(leaf).toEqual({ keep: 2 });
  });
});

describe("parseJson with escaped keys", () => {
  it("drops __proto__ and constructor keys spelled with escapes", () => {
    const value = parseJson('{"a":1,"\\u005f_proto__":{"p":1},"\\u0063onstructor":{"q":1}}');
    expect(Object.keys(value as object)).toEqual(["a"]);
  });

  it("finds a run of 16 digits wherever it starts", () => {
    for (let offset = 0; offset < 20; offset++) {
      const text = `{"k":"${"x".repeat(offset)}","n":${"9".repeat(16)}}`;
      expect((parseJson(text) as { n: unknown }).n).toBe("9".repeat(16));
    }
    expect((parseJson(`{"n":${"9".repeat(15)}}`) as { n: unknown }).n).toBe(999999999999999);
  });
});

describe("parseJson's one pass over the text", () => {
  /** What parseJson must give: JSON.parse's value, prototype keys removed, long integers as strings. */
  function expected(text: string): unknown {
    return sanitize(
      JSON.parse(text.replace(/(?<=[[,:]\s*)(-?[1-9]\d{15,})(?=\s*[,\]}])/g, '"$1"')) as unknown,
    );
  }

  // Keys as written in the text, escapes and all (user-ID keys have tests of their own).
  const key = fc.oneof(
    fc.string({ maxLength: 4 }).filter((k) => JSON.stringify(k) === `"${k}"`),
    fc.constantFrom("__proto__", "constructor", "\\u005f_proto__", "constru\\u0063tor", 'a\\"b', "c\\\\"),
  );
  const leaf = fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.constantFrom(1.5, 2e-7, true, null, "12345678901234567890"),
  );
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small" }, leaf, tie("list"), tie("object")),
    list: fc.array(tie("node"), { maxLength: 4 }),
    object: fc.array(fc.tuple(key, tie("node")), { maxLength: 4 }),
  }));
  /** Renders a generated tree, keys as written (escapes kept), with random whitespace. */
  function render(node: unknown, space: string): string {
    if (
      Array.isArray(node) &&
      node.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string")
    ) {
      const members = (node as [string, unknown][]).map(
        ([k, v]) => `"${k}"${space}:${space}${render(v, space)}`,
      );
      return `{${space}${members.join(`${space},${space}`)}${space}}`;
    }
    if (Array.isArray(node)) return `[${node.map((entry) => render(entry, space)).join(`,${space}`)}]`;
    return typeof node === "string" && /^\d{16,}$/.test(node) ? node : JSON.stringify(node);
  }

  it("gives JSON.parse's value without prototype keys, long integers exact, on generated texts", () => {
    fc.assert(
      fc.property(tree.object, fc.constantFrom("", " ", "\n\t"), (object, space) => {
        const text = render(object, space);
        const value = parseJson(text);
        expect(value).toEqual(expected(text));
        const walk = [value];
        while (walk.length > 0) {
          const node = walk.pop();
          if (node === null || typeof node !== "object") continue;
          expect(Object.prototype.hasOwnProperty.call(node, "__proto__")).toBe(false);
          expect(Object.prototype.hasOwnProperty.call(node, "constructor")).toBe(false);
          walk.push(...Object.values(node));
        }
      }),
      { numRuns: 2000, seed: 9 },
    );
  });

  it("throws exactly when JSON.parse throws, on generated texts with one character changed", () => {
    fc.assert(
      fc.property(
        tree.object,
        fc.nat(),
        fc.constantFrom("", "{", "}", "[", "]", ",", ":", '"', "\\", " ", "1", "-"),
        (object, at, insert) => {
          const rendered = render(object, "");
          const position = at % (rendered.length + 1);
          // Replace one character (or insert, at the end) with another, or delete it.
          const text = rendered.slice(0, position) + insert + rendered.slice(position + 1);
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          if (valid) expect(parseJson(text)).toEqual(expected(text));
          else expect(() => parseJson(text)).toThrow(SyntaxError);
        },
      ),
      { numRuns: 5000, seed: 11 },
    );
  });

  it("keeps invalid JSON invalid around a dropped member", () => {
    for (const text of [
      '{"constructor":1,}',
      '{"a":1,"constructor":1,}',
      '{"constructor":[1,,2],"a":1}',
      '{"constructor":}',
      '{"a":12345678901234567"constructor":1}',
      '{"a" "constructor":1}',
      '{"constructor":1 "a":2}',
      '{"constructor":1,,"a":2}',
      '["constructor":1]',
      '{"constructor":{"a":1}',
    ]) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseJson(text)).toThrow(SyntaxError);
    }
  });

  it("drops consecutive prototype members wherever they stand", () => {
    expect(parseJson('{"constructor":1,"__proto__":2}')).toEqual({});
    expect(parseJson('{"constructor":1 , "__proto__":{"x":[1]} ,"a":3}')).toEqual({ a: 3 });
    expect(parseJson('{"a":0,"constructor":1,"__proto__":2}')).toEqual({ a: 0 });
    expect(parseJson('[{"constructor":"}"},{"b":"\\\\","constructor":2}]')).toEqual([{}, { b: "\\" }]);
  });
});

describe("user IDs written as numbers", () => {
  it.each([
    ['{"Operator_Account":1.5}', "Operator_Account", "1.5"],
    ['{"RoomId":1e3}', "RoomId", "1e3"],
    ['{"RoomInfo":{"Owner_Account":-2E+2}}', "Owner_Account", "-2E+2"],
    ['{"MemberList_Account":["a",4503599627370496.5]}', "MemberList_Account", "4503599627370496.5"],
    ['{"Seat\\u005fAccount":0.0}', "Seat_Account", "0.0"],
    [`{"X_Account":1.${"0".repeat(100)}}`, "X_Account", `1.${"0".repeat(38)}…`],
    ['{"Operator_Account" :\t-2e3}', "Operator_Account", "-2e3"],
    ['{"MemberList_Account":[\r\n  "a",\n  7.0\n]}', "MemberList_Account", "7.0"],
    ['{"Pad":"user_b81d4e07","Operator_Account":1.5}', "Operator_Account", "1.5"],
  ])("refuses %s", (text, field, literal) => {
    expect(() => parseJson(text)).toThrow(InexactIdError);
    try {
      parseJson(text);
    } catch (error) {
      expect(error).toMatchObject({ field, literal });
    }
  });

  it("leaves -0 and invalid numbers in user-ID fields to JSON.parse and the schema", () => {
    expect(Object.is((parseJson('{"A_Account":-0}') as { A_Account: number }).A_Account, -0)).toBe(true);
    for (const text of ['{"A_Account":-}', '{"A_Account":01}', '{"A_Account":[-01]}', '{"A_Account":1 2}']) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseJson(text)).toThrow(SyntaxError);
    }
  });

  it("leaves numbers elsewhere as JSON.parse reads them", () => {
    const text =
      '{"A_Account":{"n":1.5},"L_Account":[[2.5],{"m":3e2}],"Accounts":1.5,"a":[1.5],"RoomId":"1.5","b":1e2}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });
});

describe("stringifyJson", () => {
  it("writes what JSON.stringify writes, for any value it can write", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withDate: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          expect(stringifyJson(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 2000, seed: 3 },
    );
  });

  it("writes nesting JSON.stringify cannot", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const text = stringifyJson(deep) as string;
    expect(text.length).toBe(50_000 * 2 + 50_000 * 6 + 3);
  });

  it("throws TypeError for a cycle or a BigInt, as JSON.stringify does", () => {
    const cycle: unknown[] = [];
    cycle.push({ back: cycle });
    expect(() => stringifyJson(cycle)).toThrow(TypeError);
    expect(() => stringifyJson([1n])).toThrow(TypeError);
    const shared = { s: 1 };
    expect(stringifyJson([shared, shared])).toBe('[{"s":1},{"s":1}]');
  });
});
