import { parseQuery } from "../lib/protocol/query";

describe("parseQuery", () => {
  it("reads names case-insensitively and values as sent", () => {
    const query = parseQuery(
      "/trtc?SdkAppid=1400000001&CallbackCommand=Room.CallbackAfterMemberEnter&ClientIP=1.2.3.4",
    );
    expect(query.get("sdkappid")).toBe("1400000001");
    expect(query.get("callbackcommand")).toBe("Room.CallbackAfterMemberEnter");
    expect(query.get("clientip")).toBe("1.2.3.4");
    expect(query.get("optplatform")).toBeUndefined();
  });

  it("decodes percent escapes and plus signs, and survives malformed escapes", () => {
    const query = parseQuery("/?a=hello%20world&b=x+y&c=%E4%BD%A0&d=%zz&Sdk%41ppid=1");
    expect(query.get("a")).toBe("hello world");
    expect(query.get("b")).toBe("x y");
    expect(query.get("c")).toBe("你");
    expect(query.get("d")).toBe("%zz");
    expect(query.get("sdkappid")).toBe("1");
  });

  it("keeps the first value and flags a name repeated in any case", () => {
    const query = parseQuery("/?SdkAppid=1&sdkappid=2&x=1");
    expect(query.get("sdkappid")).toBe("1");
    expect(query.isRepeated("sdkappid")).toBe(true);
    expect(query.isRepeated("x")).toBe(false);
  });

  it("handles no query, empty pairs and names without values", () => {
    expect(parseQuery("/trtc").get("sdkappid")).toBeUndefined();
    const query = parseQuery("/?&&flag&=v&SdkAppid=");
    expect(query.get("flag")).toBe("");
    expect(query.get("sdkappid")).toBe("");
  });

  it("does not let a parameter named __proto__ or toString shadow anything", () => {
    const query = parseQuery("/?__proto__=x&toString=y");
    expect(query.get("__proto__")).toBe("x");
    expect(query.get("tostring")).toBe("y");
    expect(query.get("hasownproperty")).toBeUndefined();
  });
});

describe("parseQuery's work", () => {
  it("reads each parameter once: 200,000 names without values parse in one pass", () => {
    // Searching for "=" to the end of the query from every parameter made this quadratic (seconds at 1 MiB).
    const raw = "a&".repeat(200_000);
    const indexOf = jest.spyOn(String.prototype, "indexOf");
    try {
      const query = parseQuery(`/?${raw}SdkAppid=1`);
      expect(query.get("sdkappid")).toBe("1");
      expect(query.isRepeated("a")).toBe(true);
      // One "&" search per parameter, nothing that scans ahead for "=".
      const scannedFor = indexOf.mock.calls.filter(([needle]) => needle === "=").length;
      expect(scannedFor).toBe(0);
    } finally {
      indexOf.mockRestore();
    }
  });
});
