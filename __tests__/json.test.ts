import { parseJson, quoteLongIntegers, sanitize } from "../lib/protocol/json";

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
