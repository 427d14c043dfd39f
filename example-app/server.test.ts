import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { start } from "./server";

describe("start", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it("listens where the environment says, prints the start-up message, then one line per callback", async () => {
    const lines: string[] = [];
    server = start({ PORT: "0", HOST: "127.0.0.1", TRTC_SDK_APP_ID: "1400000009" }, (line) =>
      lines.push(line),
    );
    await new Promise((resolve) => server?.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    // listen()'s callback, which prints the message, is the first "listening" listener: it has run.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Callback URL:  http://127.0.0.1:${port}/trtc`);
    expect(lines[0]).toContain("SdkAppid      1400000009");

    const query = "SdkAppid=1400000009&CallbackCommand=Room.CallbackAfterMemberEnter";
    const response = await fetch(`http://127.0.0.1:${port}/trtc?${query}`, {
      method: "POST",
      body: '{"RoomId":"demo","MemberList_Account":["alice"]}',
    });
    expect(await response.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    expect(lines.slice(1)).toEqual(["Room.CallbackAfterMemberEnter demo: applied"]);
    const rooms = await fetch(`http://127.0.0.1:${port}/rooms/demo`);
    expect(await rooms.json()).toMatchObject({ members: ["alice"] });
  });

  it("refuses a wrong configuration before listening", () => {
    expect(() => start({ PORT: "eighty" }, () => {})).toThrow(/^PORT must be a port number/);
  });
});
