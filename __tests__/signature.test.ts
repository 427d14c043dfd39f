import { ErrorCodes, SignatureError } from "../lib/errors";
import { parseQuery } from "../lib/query";
import { sign, verifySignature } from "../lib/signature";

const token = "xxxxyyyy";
const at = 1669872112;
const docSign = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

function verify(params: string, nowSeconds = at, tokens = [token]) {
  return verifySignature(parseQuery(`/?${params}`), tokens, nowSeconds * 1000);
}

function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return (error as SignatureError).code;
  }
  return undefined;
}

describe("sign", () => {
  it("is the lower-case hex SHA-256 of token + RequestTime (Tencent's worked example)", () => {
    expect(sign(token, at)).toBe(docSign);
    expect(sign(token, String(at))).toBe(docSign);
  });
});

describe("verifySignature", () => {
  it("returns RequestTime in seconds for a valid pair", () => {
    expect(verify(`Sign=${docSign}&RequestTime=${at}`)).toBe(at);
  });

  it("accepts an upper-case Sign", () => {
    expect(verify(`Sign=${docSign.toUpperCase()}&RequestTime=${at}`)).toBe(at);
  });

  it("accepts the signature of any configured token", () => {
    expect(verify(`Sign=${docSign}&RequestTime=${at}`, at, ["rotated-out", token])).toBe(at);
  });

  it("allows 60 s of clock difference either way and no more", () => {
    expect(verify(`Sign=${docSign}&RequestTime=${at}`, at + 60)).toBe(at);
    expect(verify(`Sign=${docSign}&RequestTime=${at}`, at - 60)).toBe(at);
    expect(codeOf(() => verify(`Sign=${docSign}&RequestTime=${at}`, at + 61))).toBe(
      ErrorCodes.ExpiredSignature,
    );
    expect(codeOf(() => verify(`Sign=${docSign}&RequestTime=${at}`, at - 61))).toBe(
      ErrorCodes.ExpiredSignature,
    );
  });

  it.each([
    ["", ErrorCodes.MissingSignature],
    [`Sign=${docSign}`, ErrorCodes.MissingSignature],
    [`RequestTime=${at}`, ErrorCodes.MissingSignature],
    [`Sign=${docSign}&RequestTime=${at}&sign=${docSign}`, ErrorCodes.MalformedSignature],
    [`Sign=${docSign}&RequestTime=${at}&RequestTime=${at}`, ErrorCodes.MalformedSignature],
    [`Sign=${docSign.slice(2)}&RequestTime=${at}`, ErrorCodes.MalformedSignature],
    [`Sign=${docSign}00&RequestTime=${at}`, ErrorCodes.MalformedSignature],
    [`Sign=${docSign}&RequestTime=-${at}`, ErrorCodes.MalformedSignature],
    [`Sign=${docSign}&RequestTime=${at}.5`, ErrorCodes.MalformedSignature],
    [`Sign=${sign("xxxyyy", at)}&RequestTime=${at}`, ErrorCodes.WrongSignature],
    [`Sign=${sign(token, at + 1)}&RequestTime=${at}`, ErrorCodes.WrongSignature],
  ])("rejects %j with code %i", (params, code) => {
    expect(codeOf(() => verify(params))).toBe(code);
  });

  it("answers 401 for every rejection", () => {
    try {
      verify("");
      throw new Error("expected a rejection");
    } catch (error) {
      expect((error as SignatureError).status).toBe(401);
    }
  });
});

describe("constant-time comparison", () => {
  it("compares with crypto.timingSafeEqual against every token, even after a match", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("node:crypto") as typeof import("node:crypto");
    const spy = jest.spyOn(crypto, "timingSafeEqual");
    try {
      expect(verify(`Sign=${docSign}&RequestTime=${at}`, at, [token, "second", "third"])).toBe(at);
      expect(spy).toHaveBeenCalledTimes(3);
      for (const [expected, actual] of spy.mock.calls as [Uint8Array, Uint8Array][]) {
        expect(expected.byteLength).toBe(actual.byteLength);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
