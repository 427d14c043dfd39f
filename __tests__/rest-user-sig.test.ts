import fc from "fast-check";
import { Api } from "tls-sig-api-v2/TLSSigAPIv2.js";
import { ConfigurationError } from "trtc-room-callbacks";
import { genUserSig } from "trtc-room-callbacks/rest";
import { inflateSync } from "node:zlib";
import { decodeUserSig, startFakeTencent, userSigHmac } from "./helpers/fake-tencent";

// PROTOCOL.md §6's test vector (the key is Tencent's published sample key).
const VECTOR = {
  sdkAppId: 1400000000,
  secretKey: "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e",
  identifier: "administrator",
  time: 1700000000,
  expireSeconds: 86400,
};

/** Decodes a UserSig the way Tencent's package encodes it: its own unescape, then inflate. */
function decodeTheirWay(userSig: string): Record<string, unknown> {
  const base64 = userSig.replace(/_/g, "=").replace(/-/g, "/").replace(/\*/g, "+");
  return JSON.parse(inflateSync(Buffer.from(base64, "base64")).toString()) as Record<string, unknown>;
}

describe("genUserSig", () => {
  it("matches PROTOCOL.md's test vector", () => {
    const userSig = genUserSig(VECTOR);
    expect(decodeUserSig(userSig)).toEqual({
      "TLS.ver": "2.0",
      "TLS.identifier": "administrator",
      "TLS.sdkappid": 1400000000,
      "TLS.time": 1700000000,
      "TLS.expire": 86400,
      "TLS.sig": "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=",
    });
  });

  it("is zlib-deflated (78 9c) in Tencent's base64 variant, with no +, / or =", () => {
    const userSig = genUserSig(VECTOR);
    expect(userSig).toMatch(/^[A-Za-z0-9*\-_]+$/);
    const base64 = userSig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
    expect(Buffer.from(base64, "base64").subarray(0, 2).toString("hex")).toBe("789c");
  });

  it("decodes with Tencent's own escaping and carries the HMAC its package computes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 1, max: 86400 * 365 }),
        (sdkAppId, secretKey, identifier, time, expireSeconds) => {
          const document = decodeTheirWay(
            genUserSig({ sdkAppId, secretKey, identifier, time, expireSeconds }),
          );
          const theirs = new Api(sdkAppId, secretKey)._hmacsha256(identifier, time, expireSeconds, null);
          expect(document).toEqual({
            "TLS.ver": "2.0",
            "TLS.identifier": identifier,
            "TLS.sdkappid": sdkAppId,
            "TLS.time": time,
            "TLS.expire": expireSeconds,
            "TLS.sig": theirs,
          });
        },
      ),
    );
  });

  it("is the very string Tencent's package generates at the same second", () => {
    const now = jest.spyOn(Date, "now");
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 0xffff_ffff }),
          fc.stringMatching(/^[0-9a-f]{64}$/),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
          fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
          (sdkAppId, secretKey, identifier, ms) => {
            now.mockReturnValue(ms);
            const theirs = new Api(sdkAppId, secretKey).genUserSig(identifier, 86400);
            expect(genUserSig({ sdkAppId, secretKey, identifier, expireSeconds: 86400 })).toBe(theirs);
          },
        ),
      );
    } finally {
      now.mockRestore();
    }
  });

  it("defaults to the administrator account, one day, and now", () => {
    const before = Math.floor(Date.now() / 1000);
    const document = decodeUserSig(genUserSig({ sdkAppId: 1400000001, secretKey: VECTOR.secretKey }));
    const after = Math.floor(Date.now() / 1000);
    expect(document).toMatchObject({ "TLS.identifier": "administrator", "TLS.expire": 86400 });
    expect(document["TLS.time"]).toBeGreaterThanOrEqual(before);
    expect(document["TLS.time"]).toBeLessThanOrEqual(after);
  });

  it("takes the SDKAppID as digits too", () => {
    expect(genUserSig({ ...VECTOR, sdkAppId: "1400000000" })).toBe(genUserSig(VECTOR));
  });

  it.each([
    [{ secretKey: undefined }, /secretKey is missing \(got nothing\).*TRTC_SECRET_KEY/],
    [{ secretKey: "" }, /secretKey is missing \(got an empty string\).*TRTC_SECRET_KEY/],
    [{ sdkAppId: "14000abc" }, /sdkAppId must be your app's SDKAppID.*such as 1400000001.*got "14000abc"/],
    [{ sdkAppId: 0 }, /sdkAppId must be .*got 0/],
    [{ sdkAppId: 2 ** 32 }, /sdkAppId must be .*got 4294967296/],
    [{ identifier: "admin istrator" }, /identifier must be an app admin account's user ID.*no spaces/],
    [{ identifier: "" }, /identifier must be/],
    [{ expireSeconds: 0 }, /expireSeconds must be a whole number from 1 to/],
    [{ expireSeconds: 1.5 }, /expireSeconds must be a whole number/],
  ])("refuses %j with a ConfigurationError that says what to do", (change, message) => {
    const call = () => genUserSig({ ...VECTOR, ...(change as object) });
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(message);
  });

  it("never shows the key in its messages, even a key of the wrong type", () => {
    const call = () => genUserSig({ ...VECTOR, secretKey: ["a-secret-key-1234"] as unknown as string });
    expect(call).toThrow(/got an array/);
    expect(() => call()).not.toThrow(/a-secret-key-1234/);
  });
});

describe("the fake Tencent's UserSig check", () => {
  it("accepts a UserSig from Tencent's own package and refuses one signed with another key", async () => {
    const key = VECTOR.secretKey;
    const fake = await startFakeTencent({ apps: [{ sdkAppId: 1400000001, secretKey: key }] });
    try {
      const ask = async (userSig: string) => {
        const query = new URLSearchParams({
          sdkappid: "1400000001",
          identifier: "administrator",
          usersig: userSig,
          random: "4294967295",
          contenttype: "json",
        });
        const response = await fetch(`${fake.endpoint}/v4/room_config/get_callback?${query}`, {
          method: "POST",
          body: "{}",
        });
        return ((await response.json()) as { ErrorCode: number }).ErrorCode;
      };
      expect(await ask(new Api(1400000001, key).genUserSig("administrator", 86400))).toBe(0);
      expect(await ask(new Api(1400000001, `${key}0`).genUserSig("administrator", 86400))).toBe(70009);
      expect(await ask(new Api(1400000001, key).genUserSig("administrator", 86400).slice(0, 40))).toBe(70003);
    } finally {
      await fake.close();
    }
  });

  const good = () => ({
    sdkappid: "1400000001",
    identifier: "administrator",
    usersig: new Api(1400000001, VECTOR.secretKey).genUserSig("administrator", 86400),
    random: "0",
    contenttype: "json",
  });
  it.each([
    ["all as Tencent documents them", {}, 0],
    ["SdkAppid instead of sdkappid", { sdkappid: undefined, SdkAppid: "1400000001" }, 100002],
    ["UserSig instead of usersig", { usersig: undefined, UserSig: good().usersig }, 70003],
    ["random above 2^32 - 1", { random: "4294967296" }, 100002],
    ["random missing", { random: undefined }, 100002],
    ["contenttype missing", { contenttype: undefined }, 100002],
    ["another identifier than the UserSig's", { identifier: "ops" }, 70013],
    ["another SDKAppID than the UserSig's", { sdkappid: "1400000002" }, 70014],
    [
      "an account that does not exist",
      { identifier: "ops", usersig: new Api(1400000001, VECTOR.secretKey).genUserSig("ops", 86400) },
      70107,
    ],
    [
      "an expired UserSig",
      { usersig: new Api(1400000001, VECTOR.secretKey).genUserSig("administrator", 1) },
      70001,
    ],
  ])("answers a query with %s: ErrorCode %i", async (_case, change, code) => {
    const fake = await startFakeTencent({
      apps: [{ sdkAppId: 1400000001, secretKey: VECTOR.secretKey }],
      now: () => Math.floor(Date.now() / 1000) + 60,
    });
    try {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries({ ...good(), ...change })) {
        if (value !== undefined) query.set(name, value);
      }
      const response = await fetch(`${fake.endpoint}/v4/room_config/get_callback?${query}`, {
        method: "POST",
        body: "{}",
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { ErrorCode: number }).ErrorCode).toBe(code);
    } finally {
      await fake.close();
    }
  });

  it("recomputes the HMAC as PROTOCOL.md's vector does", () => {
    expect(
      userSigHmac(VECTOR.secretKey, {
        identifier: "administrator",
        sdkAppId: 1400000000,
        time: 1700000000,
        expire: 86400,
      }),
    ).toBe("yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=");
  });
});
