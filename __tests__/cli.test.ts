import express from "express";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCallbackRouter,
  CallbackError,
  COMMAND_NAMES,
  type CallbackEvent,
  type CallbackHandlers,
  type TrtcCallbackError,
} from "../lib";
import { main } from "../lib/cli/main";
import { MAIN_HELP, SEND_HELP, SIMULATE_HELP } from "../lib/cli/help";
import { createRoomState, type RoomView } from "trtc-room-callbacks/room-state";
import fc from "fast-check";
import { parseWireJson, toWireJson, WireNumber } from "../lib/cli/wire-json";

const SDK_APP_ID = "1400000001";
const OK_ACK = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';
const LONG_ID = "144115233775727695";

/** Runs the CLI in-process with the environment `env` (none by default) and collects what it prints. */
async function cliWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    },
    Date.now,
    env,
  );
  return { code, stdout, stderr };
}
const cli = (...args: string[]) => cliWith({}, ...args);

const servers: Server[] = [];

/** Serves `app` on 127.0.0.1 at a free port; returns its base URL. */
async function serve(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        }),
    ),
  );
});

/**
 * A receiver as an app builds it: the router at /trtc, each event applied to
 * a room state, and what it received and failed kept for the test. With
 * `jsonFirst`, an app-wide `express.json()` comes before the router.
 */
async function receiver(options: { token?: string; jsonFirst?: boolean } = {}) {
  const rooms = createRoomState();
  const events: CallbackEvent[] = [];
  const states: (RoomView | undefined)[] = [];
  const errors: TrtcCallbackError[] = [];
  const record = async (event: CallbackEvent) => {
    events.push(event);
    await rooms.apply(event);
    states.push(await rooms.get("RoomInfo" in event ? event.RoomInfo.RoomId : event.RoomId));
  };
  const handlers: CallbackHandlers = Object.fromEntries(COMMAND_NAMES.map((name) => [name, record]));
  const app = express();
  if (options.jsonFirst) app.use(express.json());
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: SDK_APP_ID,
      token: options.token,
      handlers,
      onError: (error) => void errors.push(error),
    }),
  );
  const url = `${await serve(app)}/trtc`;
  return { rooms, events, states, errors, url };
}

describe("send", () => {
  it("sends a realistic callback, prints the request, the status and the ack, and exits 0", async () => {
    const { rooms, url } = await receiver();
    const result = await cli(
      "send",
      "Room.CallbackAfterMemberEnter",
      "--url",
      url,
      "--sdk-app-id",
      SDK_APP_ID,
      "--set",
      "RoomId=demo",
      "--set",
      "MemberList_Account=alice, bob",
    );
    expect(result).toEqual({ code: 0, stdout: expect.any(String), stderr: "" });
    expect(result.stdout).toMatch(
      new RegExp(
        `^POST ${url}\\?SdkAppid=${SDK_APP_ID}&CallbackCommand=Room\\.CallbackAfterMemberEnter&contenttype=json&ClientIP=127\\.0\\.0\\.1&OptPlatform=Web\n\\{\n`,
      ),
    );
    expect(result.stdout).toMatch(new RegExp(`\nHTTP 200 in \\d+ ms\n${OK_ACK.replace(/[{}]/g, "\\$&")}\n$`));
    expect((await rooms.get("demo"))?.members).toEqual(["alice", "bob"]);
  });

  it("stamps the event with the current time, so ordering receivers take it as new", async () => {
    const { rooms, url } = await receiver();
    const args = ["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomId=r"];
    let now = 1_800_000_000_000;
    const clock = () => now;
    const out = { stdout: () => {}, stderr: () => {} };
    await main(
      ["send", "Room.CallbackAfterMemberEnter", ...args, "--set", "MemberList_Account=alice"],
      out,
      clock,
      {},
    );
    now += 5;
    await main(
      ["send", "Room.CallbackAfterMemberLeave", ...args, "--set", "MemberList_Account=alice"],
      out,
      clock,
      {},
    );
    expect(await rooms.get("r")).toMatchObject({ members: [], updatedAt: 1_800_000_000_005 });
  });

  it("keeps each --set value to the type of the field it replaces; --add adds a field", async () => {
    const { rooms, url } = await receiver();
    const result = await cli(
      "send",
      "Room.CallbackAfterCreateRoom",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID],
      ...["--set", "RoomInfo.RoomId=2024", "--set", "RoomInfo.RoomName=2024"],
      ...["--set", "RoomInfo.MaxSeatCount=8", "--set", "RoomInfo.IsSeatEnabled=false"],
      ...["--add", 'RoomInfo.Extra={"a":[1]}', "--set", 'ScheduleInviteeList_Account=["x","y"]'],
    );
    expect(result.code).toBe(0);
    expect(await rooms.get("2024")).toMatchObject({
      settings: { RoomName: "2024", MaxSeatCount: 8, IsSeatEnabled: false, Extra: { a: [1] } },
      invitees: ["x", "y"],
    });
  });

  it("reaches into arrays, and sends the older spelling of a command as asked", async () => {
    const { rooms, url } = await receiver();
    const seat = await cli(
      "send",
      "Mic.CallbackAfterSeatInfoChanged",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomId=r"],
      ...["--set", "SeatList.0.Member_Account=carol", "--set", "SeatList.0.IsTakenDisabled=true"],
    );
    expect(seat.code).toBe(0);
    expect((await rooms.get("r"))?.seats).toEqual([
      { index: 1, member: "carol", locked: true, videoDisabled: false, audioDisabled: false },
    ]);
    const update = await cli(
      "send",
      "Room.CallbackUpdateRoomInfo",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomInfo.RoomId=r"],
    );
    expect(update.code).toBe(0);
    expect(update.stdout).toContain("CallbackCommand=Room.CallbackUpdateRoomInfo");
    expect(update.stdout).toContain('"CallbackCommand": "Room.CallbackUpdateRoomInfo"');
    expect((await rooms.get("r"))?.settings).toMatchObject({ RoomName: "rname-123" });
  });

  it("signs with --token, and without it gets the 401 FAIL ack and exits 1", async () => {
    const { rooms, url } = await receiver({ token: "cli-token" });
    const args = ["send", "Room.CallbackAfterMemberEnter", "--url", url, "--sdk-app-id", SDK_APP_ID];
    const signed = await cli(...args, "--token", "cli-token");
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/[?&]Sign=[0-9a-f]{64}&RequestTime=\d+/);
    expect((await rooms.get("rid-123"))?.members).toEqual(["user1"]);

    const unsigned = await cli(...args, "--set", "RoomId=other");
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/HTTP 401 in \d+ ms\n\{"ActionStatus":"FAIL","ErrorCode":4011,/);
    expect(unsigned.stderr).toMatch(/^trtc-room-callbacks: the callback was not acknowledged: FAIL 4011 /);
    expect(await rooms.get("other")).toBeUndefined();
  });

  describe("the token from TRTC_CALLBACK_TOKEN", () => {
    const token = "env-token-5ecret";

    it("signs with it when --token is not given, and --token wins over it", async () => {
      const { events, url } = await receiver({ token });
      const args = ["send", "Room.CallbackAfterMemberEnter", "--url", url, "--sdk-app-id", SDK_APP_ID];
      const fromEnv = await cliWith({ TRTC_CALLBACK_TOKEN: token }, ...args);
      expect(fromEnv.code).toBe(0);
      expect(fromEnv.stdout).toMatch(/[?&]Sign=[0-9a-f]{64}&RequestTime=\d+/);
      expect(events).toHaveLength(1);

      const overridden = await cliWith({ TRTC_CALLBACK_TOKEN: token }, ...args, "--token", "another");
      expect(overridden.code).toBe(1);
      expect(overridden.stdout).toContain('"ErrorCode":4013');
      expect(events).toHaveLength(1);
    });

    it("signs simulate's callbacks too", async () => {
      const { events, url } = await receiver({ token });
      const result = await cliWith(
        { TRTC_CALLBACK_TOKEN: token },
        ...["simulate", "--url", url, "--sdk-app-id", SDK_APP_ID, "--members", "2", "--seats", "1"],
      );
      expect(result.code).toBe(0);
      expect(events).toHaveLength(9);
    });

    it("counts an empty variable as unset: unsigned", async () => {
      const { url } = await receiver({ token });
      const result = await cliWith(
        { TRTC_CALLBACK_TOKEN: "" },
        ...["send", "Room.CallbackAfterMemberEnter", "--url", url, "--sdk-app-id", SDK_APP_ID],
      );
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain("Sign=");
      expect(result.stdout).toContain('"ErrorCode":4011');
    });

    it.each([
      ["TRTC_CALLBACK_TOKEN", { TRTC_CALLBACK_TOKEN: `${token}\n` }, []],
      ["--token", {}, ["--token", ` ${token}`]],
    ])("refuses a token from %s with surrounding whitespace, never printing it", async (from, env, extra) => {
      const { events, url } = await receiver({ token });
      const result = await cliWith(
        env,
        ...["send", "Room.CallbackAfterMemberEnter", "--url", url, "--sdk-app-id", SDK_APP_ID, ...extra],
      );
      expect(result).toEqual({ code: 2, stdout: "", stderr: expect.stringContaining(`${from} has leading`) });
      expect(result.stderr).not.toContain(token);
      expect(events).toEqual([]);
    });

    it("is documented in --help", () => {
      for (const help of [SEND_HELP, SIMULATE_HELP]) expect(help).toContain("TRTC_CALLBACK_TOKEN");
    });
  });

  describe("--set of a field that is not there", () => {
    it.each([
      ["Room.CallbackAfterMemberEnter", "Roomid=x", "RoomId"],
      ["Room.CallbackAfterCreateRoom", "RoomInfo.Roomname=x", "RoomInfo.RoomName"],
      ["Room.CallbackAfterCreateRoom", "Roominfo.RoomName=x", "RoomInfo.RoomName"],
      ["Mic.CallbackAfterSeatInfoChanged", "SeatList.0.member_account=bob", "SeatList.0.Member_Account"],
      ["Mic.CallbackAfterSeatInfoChanged", "SeatList.1.Index=2", "SeatList.0.Index"],
    ])("%s --set %s is a usage error naming %s, and nothing is sent", async (command, assignment, hint) => {
      const { events, url } = await receiver();
      const result = await cli(
        "send",
        command,
        "--url",
        url,
        "--sdk-app-id",
        SDK_APP_ID,
        "--set",
        assignment,
      );
      const field = assignment.slice(0, assignment.indexOf("="));
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `--set ${assignment}: the sample of ${command} has no field ${field}; did you mean ${hint}? Nothing was sent. To add a new field, use --add ${assignment}\n`,
      );
      expect(events).toEqual([]);
    });

    it("with --add, adds it, creating the objects and arrays on its way", async () => {
      const { events, url } = await receiver();
      const result = await cli(
        "send",
        "Mic.CallbackAfterSeatInfoChanged",
        ...["--url", url, "--sdk-app-id", SDK_APP_ID],
        ...["--add", "CoverURL=c.png", "--add", "Extra.List.0.Name=n", "--add", "SeatList.1.Index=2"],
      );
      expect(result.code).toBe(0);
      expect(events[0]).toMatchObject({
        CoverURL: "c.png",
        Extra: { List: [{ Name: "n" }] },
        SeatList: [{ Index: 1, Member_Account: LONG_ID }, { Index: 2 }],
      });
    });

    it("--add of a field that is there is a usage error too", async () => {
      const result = await cli(
        "send",
        "Room.CallbackAfterMemberEnter",
        ...["--url", "http://127.0.0.1:9/trtc", "--sdk-app-id", SDK_APP_ID, "--add", "RoomId=x"],
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "--add RoomId=x: the sample of Room.CallbackAfterMemberEnter already has RoomId; change it with --set RoomId=x",
      );
    });
  });

  describe("user IDs in Tencent's wire form", () => {
    it("sends an 18-digit ID as a bare JSON number, as Tencent does, and the router hands it on exactly", async () => {
      const { events, url } = await receiver();
      const result = await cli(
        "send",
        "Mic.CallbackAfterSeatInfoChanged",
        ...["--url", url, "--sdk-app-id", SDK_APP_ID],
        ...["--set", `Operator_Account=${LONG_ID.replace(/5$/, "6")}`],
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`"Operator_Account": 144115233775727696,`);
      expect(result.stdout).toContain(`"Member_Account": ${LONG_ID},`);
      expect(events[0]).toMatchObject({
        Operator_Account: "144115233775727696",
        SeatList: [{ Member_Account: LONG_ID }],
      });
    });

    it("does so in lists of IDs too, leaving other IDs and other fields as strings", async () => {
      const { events, url } = await receiver();
      const result = await cli(
        "send",
        "Room.CallbackAfterMemberEnter",
        ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomId=123456789012345678"],
        ...["--set", `MemberList_Account=${LONG_ID},alice,42`],
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`"RoomId": "123456789012345678",`);
      expect(result.stdout).toContain(
        `"MemberList_Account": [\n    ${LONG_ID},\n    "alice",\n    "42"\n  ]`,
      );
      expect(events[0]).toMatchObject({ MemberList_Account: [LONG_ID, "alice", "42"] });
    });

    it("catches a receiver that mounted the router after express.json(); --string-ids sends strings", async () => {
      const { events, errors, url } = await receiver({ jsonFirst: true });
      const args = ["send", "Mic.CallbackAfterSeatInfoChanged", "--url", url, "--sdk-app-id", SDK_APP_ID];
      const wire = await cli(...args);
      expect(wire.code).toBe(1);
      expect(wire.stdout).toMatch(/HTTP 400 in \d+ ms\n\{"ActionStatus":"FAIL","ErrorCode":4002,/);
      expect(errors[0]?.message).toContain("mount the router before express.json()");
      expect(events).toEqual([]);

      const strings = await cli(...args, "--string-ids");
      expect(strings.code).toBe(0);
      expect(strings.stdout).toContain(`"Member_Account": "${LONG_ID}",`);
      expect(events[0]).toMatchObject({ SeatList: [{ Member_Account: LONG_ID }] });
    });
  });

  it("exits 1 on a FAIL ack with HTTP 200, printing the handler's code and message", async () => {
    const app = express();
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers: {
          "Room.CallbackAfterDestroyRoom": () => {
            throw new CallbackError("room is still in use", { code: 4321 });
          },
        },
      }),
    );
    const url = `${await serve(app)}/trtc`;
    const result = await cli(
      "send",
      "Room.CallbackAfterDestroyRoom",
      "--url",
      url,
      "--sdk-app-id",
      SDK_APP_ID,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("HTTP 200 in ");
    expect(result.stdout).toContain(
      '{"ActionStatus":"FAIL","ErrorCode":4321,"ErrorInfo":"room is still in use"}',
    );
    expect(result.stderr).toBe(
      "trtc-room-callbacks: the callback was not acknowledged: FAIL 4321 room is still in use\n",
    );
  });

  it("exits 1 when the answer is not an ack, and 3 when nobody answers", async () => {
    const base = await serve(express());
    const notAck = await cli(
      "send",
      "Room.CallbackAfterMemberEnter",
      "--url",
      `${base}/nowhere`,
      "--sdk-app-id",
      "1",
    );
    expect(notAck.code).toBe(1);
    expect(notAck.stdout).toMatch(/HTTP 404 in \d+ ms\n/);
    expect(notAck.stderr).toMatch(/the answer is not an ack/);

    // A port that was free a moment ago.
    const closed = await serve(express());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const unreachable = await cli(
      "send",
      "Room.CallbackAfterMemberEnter",
      "--url",
      `${closed}/trtc`,
      "--sdk-app-id",
      "1",
    );
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toBe(`trtc-room-callbacks: cannot reach ${closed}/trtc: ECONNREFUSED\n`);
  });

  describe("--file", () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "trtc-cli-"))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("sends the file byte for byte, its 18-digit bare-number user ID included, taking its command", async () => {
      const { rooms, url } = await receiver();
      const file = join(dir, "seat.json");
      const body =
        '{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"f","SeatList":[{"Index":0,"Member_Account":144115233775727695}]}';
      writeFileSync(file, body);
      const result = await cli("send", "--file", file, "--url", url, "--sdk-app-id", SDK_APP_ID);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `CallbackCommand=Mic.CallbackAfterSeatInfoChanged&contenttype=json&ClientIP=127.0.0.1&OptPlatform=Web\n${body}\n`,
      );
      expect((await rooms.get("f"))?.seats[0]?.member).toBe(LONG_ID);
    });

    it("applies --set to the file's event", async () => {
      const { rooms, url } = await receiver();
      const file = join(dir, "enter.json");
      writeFileSync(file, JSON.stringify({ CallbackCommand: "Room.CallbackAfterMemberEnter", RoomId: "f" }));
      const result = await cli(
        "send",
        ...["--file", file, "--add", 'MemberList_Account=["dave"]', "--url", url, "--sdk-app-id", SDK_APP_ID],
      );
      expect(result.code).toBe(0);
      expect((await rooms.get("f"))?.members).toEqual(["dave"]);
    });

    it("with --set keeps the file's numbers as written, bare 18-digit ones included", async () => {
      const { events, url } = await receiver();
      const file = join(dir, "numbers.json");
      writeFileSync(
        file,
        '{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"f","Extra":[123456789012345678901,1.50,-0,2e3],' +
          '"SeatList":[{"Index":0,"Member_Account":144115233775727695}],"EventTime":1700000000000}',
      );
      const result = await cli(
        "send",
        ...["--file", file, "--set", "RoomId=g", "--url", url, "--sdk-app-id", SDK_APP_ID],
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        '"Extra": [\n    123456789012345678901,\n    1.50,\n    -0,\n    2e3\n  ],\n',
      );
      expect(result.stdout).toContain(`"Member_Account": ${LONG_ID}\n`);
      expect(result.stdout).toContain(`"RoomId": "g",`);
      expect(events[0]).toMatchObject({ RoomId: "g", SeatList: [{ Member_Account: LONG_ID }] });

      const strings = await cli(
        "send",
        ...["--file", file, "--string-ids", "--url", url, "--sdk-app-id", SDK_APP_ID],
      );
      expect(strings.code).toBe(0);
      expect(strings.stdout).toContain(`"Member_Account": "${LONG_ID}"\n`);
      expect(strings.stdout).toContain("    123456789012345678901,\n");
    });

    it("names the file, not the sample, for a misspelt --set", async () => {
      const file = join(dir, "misspelt.json");
      writeFileSync(file, '{"CallbackCommand":"Room.CallbackAfterMemberEnter","RoomId":"f"}');
      const result = await cli(
        "send",
        ...["--file", file, "--set", "roomID=x", "--url", "http://127.0.0.1:9/trtc", "--sdk-app-id", "1"],
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `the event in --file ${file} has no field roomID; did you mean RoomId?`,
      );
    });

    it.each([
      ["a missing file", "missing.json", undefined, /^trtc-room-callbacks: --file .*missing\.json: ENOENT/],
      [
        "a file that is not JSON",
        "bad.json",
        "{nope",
        /^trtc-room-callbacks: --file .*bad\.json is not JSON/,
      ],
      [
        "a file with a number JSON does not allow",
        "leading-zero.json",
        '{"CallbackCommand":"Room.CallbackAfterMemberEnter","MemberCount":01}',
        /^trtc-room-callbacks: --file .*leading-zero\.json is not JSON/,
      ],
      [
        "a file without CallbackCommand",
        "bare.json",
        '{"RoomId":"x"}',
        /has no CallbackCommand: name the callback/,
      ],
    ])("rejects %s with exit 2", async (_case, name, content, message) => {
      const file = join(dir, name);
      if (content !== undefined) writeFileSync(file, content);
      const result = await cli(
        "send",
        "--file",
        file,
        "--set",
        "RoomId=x",
        "--url",
        "http://127.0.0.1:9/trtc",
        "--sdk-app-id",
        "1",
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe("");
    });
  });
});

describe("simulate", () => {
  const seats = (room: RoomView | undefined) => room?.seats.map((seat) => [seat.member, seat.locked]);

  it("plays a whole meeting, one line per callback, and exits 0 when every ack is OK", async () => {
    const { events, states, errors, url } = await receiver({ token: "t" });
    const result = await cli(
      "simulate",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--token", "t"],
      ...["--members", "3", "--seats", "2", "--room-id", "weekly"],
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Simulating a meeting in room weekly (3 members, 2 seats) at ${url}`);
    expect(lines.slice(1, -1)).toHaveLength(11);
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ ?\d+\/11 {2}\S+ +.+ HTTP 200, OK$/);
    expect(lines[6]).toMatch(
      /^ 6\/11 {2}Mic\.CallbackAfterSeatInfoChanged +144115233775727695 takes seat 1 +HTTP/,
    );
    expect(lines[lines.length - 1]).toBe("11 callbacks: 11 OK, 0 not OK");
    expect(errors).toEqual([]);

    expect(events.map((event) => event.CallbackCommand)).toEqual([
      "Room.CallbackAfterCreateRoom",
      ...Array(3).fill("Room.CallbackAfterMemberEnter"),
      ...Array(4).fill("Mic.CallbackAfterSeatInfoChanged"),
      "Room.CallbackAfterMemberLeave",
      "Room.CallbackAfterUpdateRoomInfo",
      "Room.CallbackAfterDestroyRoom",
    ]);
    expect(states[0]).toMatchObject({
      settings: { Owner_Account: "member-1", MaxSeatCount: 2 },
      invitees: [LONG_ID, "member-3"],
      members: [],
    });
    expect(states[3]?.members).toEqual(["member-1", LONG_ID, "member-3"]);
    expect(seats(states[5])).toEqual([
      ["member-1", false],
      [LONG_ID, false],
    ]);
    expect(seats(states[6])).toEqual([
      ["member-1", false],
      [null, false],
    ]);
    expect(seats(states[7])).toEqual([
      ["member-1", false],
      [null, true],
    ]);
    expect(states[8]?.members).toEqual(["member-1", LONG_ID]);
    expect(states[9]?.settings).toMatchObject({
      RoomName: "Simulated meeting (chat muted)",
      IsMessageDisabled: true,
    });
    expect(states[10]).toBeUndefined();
  });

  it('says "1 seat", not "1 seats"', async () => {
    const { url } = await receiver();
    const result = await cli("simulate", "--url", url, "--sdk-app-id", SDK_APP_ID, "--seats", "1");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Simulating a meeting in room sim-\d+ \(4 members, 1 seat\) at /);
  });

  it("with --keep-room, ends before the destroy so the room's state can be looked at", async () => {
    const { rooms, events, url } = await receiver();
    const result = await cli(
      "simulate",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--room-id", "kept", "--keep-room"],
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("12 callbacks: 12 OK, 0 not OK");
    expect(events.map((event) => event.CallbackCommand)).not.toContain("Room.CallbackAfterDestroyRoom");
    expect(await rooms.get("kept")).toMatchObject({ members: ["member-1", LONG_ID, "member-3"] });
  });

  it("catches a receiver that mounted the router after express.json() at the first callback; --string-ids passes it", async () => {
    const caught = await receiver({ jsonFirst: true });
    const args = ["simulate", "--url", caught.url, "--sdk-app-id", SDK_APP_ID, "--members", "2"];
    const result = await cli(...args);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(
      /^ 1\/10 {2}Room\.CallbackAfterCreateRoom +.+ HTTP 400, FAIL 4002 ".*express\.json/,
    );
    expect(caught.errors.map((error) => error.code)).toContain(4002);

    const strings = await receiver({ jsonFirst: true });
    const passed = await cli(...args.slice(0, 2), strings.url, ...args.slice(3), "--string-ids");
    expect(passed.code).toBe(0);
    expect(strings.events[0]).toMatchObject({ ScheduleInviteeList_Account: [LONG_ID] });
  });

  it("plays every step to the end and exits 1 when an ack is FAIL", async () => {
    const app = express();
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers: {
          "Room.CallbackAfterMemberLeave": () => {
            throw new CallbackError("cannot kick", { code: 4001 });
          },
        },
      }),
    );
    const url = `${await serve(app)}/trtc`;
    const result = await cli("simulate", "--url", url, "--sdk-app-id", SDK_APP_ID);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(15);
    expect(lines.filter((line) => line.includes("FAIL"))).toEqual([
      expect.stringMatching(
        /^11\/13 {2}Room\.CallbackAfterMemberLeave +member-1 kicks member-4 out +HTTP 200, FAIL 4001 "cannot kick"$/,
      ),
    ]);
    expect(lines[14]).toBe("13 callbacks: 12 OK, 1 not OK");
  });

  it("stops with exit 3 when the URL cannot be reached", async () => {
    const closed = await serve(express());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const result = await cli("simulate", "--url", `${closed}/trtc`, "--sdk-app-id", SDK_APP_ID);
    expect(result.code).toBe(3);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^trtc-room-callbacks: cannot reach .*: ECONNREFUSED\n$/);
  });
});

describe("the wire form of an event", () => {
  it("re-writes any JSON as JSON.stringify writes it, when no *_Account field is in it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(toWireJson(parseWireJson(text), { stringIds: false })).toBe(text);
        expect(toWireJson(parseWireJson(text), { stringIds: false, indent: 2 })).toBe(
          JSON.stringify(value, null, 2),
        );
      }),
    );
  });

  it("keeps each number's text, and leaves digits inside strings and keys alone", () => {
    const text =
      '{"a":[1.50,-0,2E+3,123456789012345678901],"s":"x \\"144115233775727695\\" 1e3","144115233775727695":0}';
    const value = parseWireJson(text) as Record<string, unknown>;
    expect(value["a"]).toEqual(["1.50", "-0", "2E+3", "123456789012345678901"].map((n) => new WireNumber(n)));
    expect(value["s"]).toBe('x "144115233775727695" 1e3');
    expect(toWireJson(value, { stringIds: false })).toBe(text);
  });

  it.each(['{"a":01}', '{"a":-}', '{"a":1.}', "{1:2}", '{"a":.5}', '{"a":+1}'])(
    "still refuses %s, which is not JSON",
    (text) => {
      expect(() => parseWireJson(text)).toThrow(SyntaxError);
    },
  );

  it("writes IDs of 16 digits or more in *_Account fields and lists bare, or as strings with stringIds", () => {
    const event = {
      Operator_Account: "144115233775727695",
      Owner_Account: "9007199254740993",
      Short_Account: "123456789012345",
      Member_Account: "0144115233775727695",
      MemberList_Account: ["144115233775727695", "alice", new WireNumber("144115233775727696")],
      RoomId: "144115233775727695",
      Nested: { Member_Account: new WireNumber("144115233775727697") },
    };
    expect(
      JSON.parse(toWireJson(event, { stringIds: false }).replace(/(?<=[:[,])(\d{16,})(?=[,\]}])/g, '"#$1"')),
    ).toEqual({
      Operator_Account: "#144115233775727695",
      Owner_Account: "#9007199254740993",
      Short_Account: "123456789012345",
      Member_Account: "0144115233775727695",
      MemberList_Account: ["#144115233775727695", "alice", "#144115233775727696"],
      RoomId: "144115233775727695",
      Nested: { Member_Account: "#144115233775727697" },
    });
    expect(JSON.parse(toWireJson(event, { stringIds: true }))).toEqual({
      ...event,
      MemberList_Account: ["144115233775727695", "alice", "144115233775727696"],
      Nested: { Member_Account: "144115233775727697" },
    });
  });
});

describe("help and usage", () => {
  it.each([
    [["--help"], MAIN_HELP],
    [["-h"], MAIN_HELP],
    [["help"], MAIN_HELP],
    [["help", "send"], SEND_HELP],
    [["send", "--help"], SEND_HELP],
    [["send", "Room.CallbackAfterMemberEnter", "-h"], SEND_HELP],
    [["help", "simulate"], SIMULATE_HELP],
    [["simulate", "--help"], SIMULATE_HELP],
  ])("%j prints the help and exits 0", async (args, help) => {
    expect(await cli(...args)).toEqual({ code: 0, stdout: help, stderr: "" });
  });

  it("documents every command and the exit codes", () => {
    for (const command of COMMAND_NAMES) expect(SEND_HELP).toContain(`  ${command}\n`);
    for (const help of [MAIN_HELP, SEND_HELP, SIMULATE_HELP]) {
      expect(help).toMatch(/^Usage: trtc-room-callbacks /);
      expect(help).toContain("Exit codes:\n  0  every answer was HTTP 200 with ActionStatus OK\n");
    }
  });

  it("prints the help to stdout and exits 2 without a command", async () => {
    expect(await cli()).toEqual({ code: 2, stdout: MAIN_HELP, stderr: "" });
  });

  const target = ["--url", "http://127.0.0.1:9/trtc", "--sdk-app-id", SDK_APP_ID];
  it.each([
    [["launch"], 'unknown command "launch": the commands are send and simulate', "--help"],
    [["help", "launch"], 'no command "launch"', "--help"],
    [["help", "toString"], 'no command "toString"', "--help"],
    [
      ["send", ...target],
      "send needs the callback to send, one of: Room.CallbackAfterCreateRoom, ",
      "send --help",
    ],
    [
      ["send", "Room.CallbackAfterMemberEnterr", ...target],
      "did you mean Room.CallbackAfterMemberEnter?",
      "send --help",
    ],
    [["send", "Room.CallbackAfterMemberEnter"], "--url is required", "send --help"],
    [["send", "Room.CallbackAfterMemberEnter", "--url", "127.0.0.1:3000"], "--url must be an", "send --help"],
    [
      ["send", "Room.CallbackAfterMemberEnter", "--url", "ftp://h/t"],
      "--url must be an http or https URL",
      "send --help",
    ],
    [
      ["send", "Room.CallbackAfterMemberEnter", "--url", "http://h/t"],
      "--sdk-app-id is required",
      "send --help",
    ],
    [
      ["send", "Room.CallbackAfterMemberEnter", "--url", "http://h/t", "--sdk-app-id", "app"],
      "--sdk-app-id must be digits",
      "send --help",
    ],
    [["send", "Room.CallbackAfterMemberEnter", ...target, "--token", ""], "--token is empty", "send --help"],
    [
      ["send", "Room.CallbackAfterMemberEnter", ...target, "--set", "RoomId"],
      "--set takes Field=value",
      "send --help",
    ],
    [["send", "Room.CallbackAfterMemberEnter", ...target, "--set", "a..b=1"], "empty segment", "send --help"],
    [
      ["send", "Room.CallbackAfterMemberEnter", ...target, "--members", "3"],
      "Unknown option '--members'",
      "send --help",
    ],
    [["send", "a", "b", ...target], "send takes one callback, got 2: a b", "send --help"],
    [
      ["simulate", ...target, "--members", "1"],
      "--members must be a whole number from 2 to 100, not 1",
      "simulate --help",
    ],
    [
      ["simulate", ...target, "--seats", "two"],
      "--seats must be a whole number from 1 to 100, not two",
      "simulate --help",
    ],
    [
      ["simulate", ...target, "--timeout", "0"],
      "--timeout must be a whole number from 1 to 600000",
      "simulate --help",
    ],
    [["simulate", ...target, "extra"], "simulate takes no arguments, got: extra", "simulate --help"],
  ])("%j exits 2 and says what to fix", async (args, message, help) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^trtc-room-callbacks: /);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(new RegExp(`\nRun "trtc-room-callbacks ${help}" for usage\\.\n$`));
  });
});

describe("the package's bin", () => {
  it.each([
    [["simulate", "--help"], 0, SIMULATE_HELP, ""],
    [
      ["simulate"],
      2,
      "",
      'trtc-room-callbacks: --url is required: the callback URL, such as http://127.0.0.1:3000/trtc\nRun "trtc-room-callbacks simulate --help" for usage.\n',
    ],
  ])(
    "runs %j from process.argv, writes to the process's streams and sets exitCode %d",
    async (args, code, out, err) => {
      const { argv, exitCode } = process;
      const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
      const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        process.argv = ["node", "trtc-room-callbacks", ...args];
        process.exitCode = undefined;
        jest.isolateModules(() => jest.requireActual("../lib/cli/bin"));
        // main() settles within microtasks for help and usage errors; a macrotask turn is past them.
        await new Promise((resolve) => setImmediate(resolve));
        expect(process.exitCode).toBe(code);
        expect(stdout.mock.calls.map(([text]) => text).join("")).toBe(out);
        expect(stderr.mock.calls.map(([text]) => text).join("")).toBe(err);
      } finally {
        process.argv = argv;
        process.exitCode = exitCode;
        stdout.mockRestore();
        stderr.mockRestore();
      }
    },
  );

  it("is the compiled lib/cli/bin.ts, which starts with a node shebang", () => {
    const packageJson = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      bin: unknown;
    };
    expect(packageJson.bin).toEqual({ "trtc-room-callbacks": "dist/cli/bin.js" });
    const source = readFileSync(join(__dirname, "..", "lib", "cli", "bin.ts"), "utf8");
    expect(source.startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});
