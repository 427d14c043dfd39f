import express from "express";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallbackRouter, CallbackError, COMMAND_NAMES, type CallbackEvent } from "../lib";
import { main } from "../lib/cli/main";
import { MAIN_HELP, SEND_HELP, SIMULATE_HELP } from "../lib/cli/help";
import { createExampleApp } from "../example-app/app";
import { RoomStore, type RoomView } from "../example-app/state";

const SDK_APP_ID = "1400000001";
const OK_ACK = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';

/** Runs the CLI in-process and collects what it prints. */
async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

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

/** The example app with a store the test can read. */
async function exampleApp(token?: string) {
  const store = new RoomStore();
  const base = await serve(createExampleApp({ sdkAppId: SDK_APP_ID, token, store }));
  return { store, url: `${base}/trtc` };
}

describe("send", () => {
  it("sends a realistic callback, prints the request, the status and the ack, and exits 0", async () => {
    const { store, url } = await exampleApp();
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
    expect(store.get("demo")?.members).toEqual(["alice", "bob"]);
  });

  it("stamps the event with the current time, so ordering receivers take it as new", async () => {
    const { store, url } = await exampleApp();
    const args = ["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomId=r"];
    let now = 1_800_000_000_000;
    const clock = () => now;
    const out = { stdout: () => {}, stderr: () => {} };
    await main(
      ["send", "Room.CallbackAfterMemberEnter", ...args, "--set", "MemberList_Account=alice"],
      out,
      clock,
    );
    now += 5;
    await main(
      ["send", "Room.CallbackAfterMemberLeave", ...args, "--set", "MemberList_Account=alice"],
      out,
      clock,
    );
    expect(store.get("r")).toMatchObject({ members: [], updatedAt: 1_800_000_000_005 });
  });

  it("keeps each --set value to the type of the field it replaces", async () => {
    const { store, url } = await exampleApp();
    const result = await cli(
      "send",
      "Room.CallbackAfterCreateRoom",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID],
      ...["--set", "RoomInfo.RoomId=2024", "--set", "RoomInfo.RoomName=2024"],
      ...["--set", "RoomInfo.MaxSeatCount=8", "--set", "RoomInfo.IsSeatEnabled=false"],
      ...["--set", 'RoomInfo.Extra={"a":[1]}', "--set", 'ScheduleInviteeList_Account=["x","y"]'],
    );
    expect(result.code).toBe(0);
    expect(store.get("2024")).toMatchObject({
      settings: { RoomName: "2024", MaxSeatCount: 8, IsSeatEnabled: false, Extra: { a: [1] } },
      invitees: ["x", "y"],
    });
  });

  it("reaches into arrays, and sends the older spelling of a command as asked", async () => {
    const { store, url } = await exampleApp();
    const seat = await cli(
      "send",
      "Mic.CallbackAfterSeatInfoChanged",
      ...["--url", url, "--sdk-app-id", SDK_APP_ID, "--set", "RoomId=r"],
      ...["--set", "SeatList.0.Member_Account=carol", "--set", "SeatList.0.IsTakenDisabled=true"],
    );
    expect(seat.code).toBe(0);
    expect(store.get("r")?.seats).toEqual([
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
    expect(store.get("r")?.settings).toMatchObject({ RoomName: "rname-123" });
  });

  it("signs with --token, and without it gets the 401 FAIL ack and exits 1", async () => {
    const { store, url } = await exampleApp("cli-token");
    const args = ["send", "Room.CallbackAfterMemberEnter", "--url", url, "--sdk-app-id", SDK_APP_ID];
    const signed = await cli(...args, "--token", "cli-token");
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/[?&]Sign=[0-9a-f]{64}&RequestTime=\d+/);
    expect(store.get("rid-123")?.members).toEqual(["user1"]);

    const unsigned = await cli(...args, "--set", "RoomId=other");
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/HTTP 401 in \d+ ms\n\{"ActionStatus":"FAIL","ErrorCode":4011,/);
    expect(unsigned.stderr).toMatch(/^trtc-room-callbacks: the callback was not acknowledged: FAIL 4011 /);
    expect(store.get("other")).toBeUndefined();
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
      const { store, url } = await exampleApp();
      const file = join(dir, "seat.json");
      const body =
        '{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"f","SeatList":[{"Index":0,"Member_Account":144115233775727695}]}';
      writeFileSync(file, body);
      const result = await cli("send", "--file", file, "--url", url, "--sdk-app-id", SDK_APP_ID);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `CallbackCommand=Mic.CallbackAfterSeatInfoChanged&contenttype=json&ClientIP=127.0.0.1&OptPlatform=Web\n${body}\n`,
      );
      expect(store.get("f")?.seats[0]?.member).toBe("144115233775727695");
    });

    it("applies --set to the file's event", async () => {
      const { store, url } = await exampleApp();
      const file = join(dir, "enter.json");
      writeFileSync(file, JSON.stringify({ CallbackCommand: "Room.CallbackAfterMemberEnter", RoomId: "f" }));
      const result = await cli(
        "send",
        ...["--file", file, "--set", 'MemberList_Account=["dave"]', "--url", url, "--sdk-app-id", SDK_APP_ID],
      );
      expect(result.code).toBe(0);
      expect(store.get("f")?.members).toEqual(["dave"]);
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
  /** A store that keeps the simulated room's state after every event. */
  class RecordingStore extends RoomStore {
    readonly snapshots: { command: string; room: RoomView | undefined }[] = [];
    override apply(event: CallbackEvent) {
      const result = super.apply(event);
      const roomId = "RoomInfo" in event ? event.RoomInfo.RoomId : event.RoomId;
      this.snapshots.push({ command: event.CallbackCommand, room: this.get(roomId) });
      return result;
    }
  }

  it("plays a whole meeting, one line per callback, and exits 0 when every ack is OK", async () => {
    const store = new RecordingStore();
    const base = await serve(createExampleApp({ sdkAppId: SDK_APP_ID, token: "t", store }));
    const result = await cli(
      "simulate",
      ...["--url", `${base}/trtc`, "--sdk-app-id", SDK_APP_ID, "--token", "t"],
      ...["--members", "3", "--seats", "2", "--room-id", "weekly"],
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Simulating a meeting in room weekly (3 members, 2 seats) at ${base}/trtc`);
    expect(lines.slice(1, -1)).toHaveLength(11);
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ ?\d+\/11 {2}\S+ +.+ HTTP 200, OK$/);
    expect(lines[lines.length - 1]).toBe("11 callbacks: 11 OK, 0 not OK");

    const states = store.snapshots.map(({ room }) => room);
    expect(store.snapshots.map(({ command }) => command)).toEqual([
      "Room.CallbackAfterCreateRoom",
      ...Array(3).fill("Room.CallbackAfterMemberEnter"),
      ...Array(4).fill("Mic.CallbackAfterSeatInfoChanged"),
      "Room.CallbackAfterMemberLeave",
      "Room.CallbackAfterUpdateRoomInfo",
      "Room.CallbackAfterDestroyRoom",
    ]);
    const seats = (room: RoomView | undefined) => room?.seats.map((seat) => [seat.member, seat.locked]);
    expect(states[0]).toMatchObject({
      settings: { Owner_Account: "member-1", MaxSeatCount: 2 },
      members: [],
    });
    expect(states[3]?.members).toEqual(["member-1", "member-2", "member-3"]);
    expect(seats(states[5])).toEqual([
      ["member-1", false],
      ["member-2", false],
    ]);
    expect(seats(states[6])).toEqual([
      ["member-1", false],
      [null, false],
    ]);
    expect(seats(states[7])).toEqual([
      ["member-1", false],
      [null, true],
    ]);
    expect(states[8]?.members).toEqual(["member-1", "member-2"]);
    expect(states[9]?.settings).toMatchObject({
      RoomName: "Simulated meeting (chat muted)",
      IsMessageDisabled: true,
    });
    expect(states[10]).toBeUndefined();
    expect(store.stats).toEqual({ applied: 11, stale: 0, duplicate: 0 });
  });

  it("with --keep-room, ends before the destroy so the room's state can be looked at", async () => {
    const store = new RecordingStore();
    const base = await serve(createExampleApp({ sdkAppId: SDK_APP_ID, store }));
    const result = await cli(
      "simulate",
      ...["--url", `${base}/trtc`, "--sdk-app-id", SDK_APP_ID, "--room-id", "kept", "--keep-room"],
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("12 callbacks: 12 OK, 0 not OK");
    expect(store.snapshots.map(({ command }) => command)).not.toContain("Room.CallbackAfterDestroyRoom");
    expect(store.get("kept")).toMatchObject({ members: ["member-1", "member-2", "member-3"] });
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
