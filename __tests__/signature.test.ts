import { ErrorCodes, SignatureError } from "../lib/core/errors";
import { parseQuery } from "../lib/protocol/query";
import { nodeSha256Hex, sign } from "../lib/protocol/sign";
import { verifySignature, webSha256Hex, type Sha256Hex } from "../lib/protocol/signature";

const token = "xxxxyyyy";
const at = 1669872112;
const docSign = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

describe("sign", () => {
  it("is the lower-case hex SHA-256 of token + RequestTime (Tencent's worked example)", () => {
    expect(sign(token, at)).toBe(docSign);
    expect(sign(token, String(at))).toBe(docSign);
  });

  it("is computed the same by Web Crypto, which the fetch entry uses", async () => {
    expect(await webSha256Hex(`${token}${at}`)).toBe(docSign);
    expect(await webSha256Hex("你好")).toBe(nodeSha256Hex("你好"));
  });
});

describe.each([
  ["node:crypto", nodeSha256Hex],
  ["Web Crypto", webSha256Hex],
])("verifySignature with %s", (_name, sha256Hex: Sha256Hex) => {
  function verify(params: string, nowSeconds = at, tokens = [token]) {
    return verifySignature(parseQuery(`/?${params}`), tokens, nowSeconds * 1000, sha256Hex);
  }

  async function codeOf(run: () => Promise<unknown>): Promise<number | undefined> {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(SignatureError);
      expect((error as SignatureError).status).toBe(401);
      return (error as SignatureError).code;
    }
    return undefined;
  }

  it("returns RequestTime in seconds for a valid pair", async () => {
    await expect(verify(`Sign=${docSign}&RequestTime=${at}`)).resolves.toBe(at);
  });

  it("accepts an upper-case Sign", async () => {
    await expect(verify(`Sign=${docSign.toUpperCase()}&RequestTime=${at}`)).resolves.toBe(at);
  });

  it("accepts the signature of any configured token", async () => {
    await expect(verify(`Sign=${docSign}&RequestTime=${at}`, at, ["rotated-out", token])).resolves.toBe(at);
  });

  it("allows 60 s of clock difference either way and no more", async () => {
    await expect(verify(`Sign=${docSign}&RequestTime=${at}`, at + 60)).resolves.toBe(at);
    await expect(verify(`Sign=${docSign}&RequestTime=${at}`, at - 60)).resolves.toBe(at);
    expect(await codeOf(() => verify(`Sign=${docSign}&RequestTime=${at}`, at + 61))).toBe(
      ErrorCodes.ExpiredSignature,
    );
    expect(await codeOf(() => verify(`Sign=${docSign}&RequestTime=${at}`, at - 61))).toBe(
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
    [`Sign=${docSign.slice(0, 63)}0&RequestTime=${at}`, ErrorCodes.WrongSignature],
  ])("rejects %j with code %i", async (params, code) => {
    expect(await codeOf(() => verify(params))).toBe(code);
  });
});

describe("comparison against every token", () => {
  it("hashes and compares every configured token, even after a match, so timing does not tell which matched", async () => {
    const hashed: string[] = [];
    const counting: Sha256Hex = (text) => {
      hashed.push(text);
      return nodeSha256Hex(text);
    };
    const query = parseQuery(`/?Sign=${docSign}&RequestTime=${at}`);
    await expect(verifySignature(query, [token, "second", "third"], at * 1000, counting)).resolves.toBe(at);
    expect(hashed).toEqual([`${token}${at}`, `second${at}`, `third${at}`]);
  });
});
