import express from "express";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  CallbackError,
  COMMAND_NAMES,
  createCallbackRouter,
  type CallbackHandlers,
} from "trtc-room-callbacks";
import { REGIONS } from "trtc-room-callbacks/rest";
import { CONFIG_HELP } from "../lib/cli/help";
import { main } from "../lib/cli/main";
import { decodeUserSig, secretForms, startFakeTencent, type FakeTencent } from "./helpers/fake-tencent";
import { freePort } from "./helpers/servers";

const SDK_APP_ID = "1400000001";
const SECRET = "3c9d1a7e5b2f4c8d9e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a";
const TOKEN = "callback-token-42";
const NOW = 1_732_240_000_000;
const ENV_NAMES = ["TRTC_SECRET_KEY", "TRTC_CALLBACK_TOKEN"] as const;
type Env = Partial<Record<(typeof ENV_NAMES)[number], string>>;

function expectNoSecret(text: string): void {
  for (const form of secretForms(SECRET)) expect(text).not.toContain(form);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toMatch(/usersig=(?!REDACTED)/);
}

/** Runs `trtc-room-callbacks <args>` in-process with exactly `env` set; checks no secret reached the output. */
async function cli(args: string[], env: Env = { TRTC_SECRET_KEY: SECRET }) {
  const saved = ENV_NAMES.map((name) => [name, process.env[name]] as const);
  for (const name of ENV_NAMES) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  let stdout = "";
  let stderr = "";
  try {
    const code = await main(
      args,
      { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
      () => NOW,
    );
    expectNoSecret(stdout + stderr);
    return { code, stdout, stderr };
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A real receiver: the package's router on an Express app, on a free port. */
async function startReceiver(handlers: CallbackHandlers, token?: string, bodyParserFirst = false) {
  const received: string[] = [];
  type Loose = (event: unknown, context: unknown) => unknown;
  const recording: Record<string, Loose> = {};
  for (const command of COMMAND_NAMES) {
    recording[command] = async (event, context) => {
      received.push(command);
      await (handlers[command] as Loose | undefined)?.(event, context);
    };
  }
  const app = express();
  // The deployment mistake `config check` must catch: a JSON parser before the router rounds 18-digit IDs.
  if (bodyParserFirst) app.use(express.json());
  app.use(
    "/trtc",
    createCallbackRouter({ sdkAppId: Number(SDK_APP_ID), handlers: recording as CallbackHandlers, token }),
  );
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trtc`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("trtc-room-callbacks config", () => {
  let fake: FakeTencent;
  let endpoint: string[];
  beforeEach(async () => {
    fake = await startFakeTencent({ apps: [{ sdkAppId: Number(SDK_APP_ID), secretKey: SECRET }] });
    endpoint = ["--sdk-app-id", SDK_APP_ID, "--endpoint", fake.endpoint];
  });
  afterEach(async () => {
    await fake.close();
  });
  const host = () => new URL(fake.endpoint).host;

  it.each([[["config", "--help"]], [["config", "set", "-h"]], [["help", "config"]]])(
    "%j prints the config help",
    async (args) => {
      expect(await cli(args, {})).toEqual({ code: 0, stdout: CONFIG_HELP, stderr: "" });
    },
  );

  it("the help lists every region, action and exit code", () => {
    for (const region of Object.keys(REGIONS)) expect(CONFIG_HELP).toContain(region);
    for (const action of ["set", "get", "delete", "check"])
      expect(CONFIG_HELP).toMatch(new RegExp(`\n  ${action} `));
    for (const code of [0, 1, 2, 3]) expect(CONFIG_HELP).toMatch(new RegExp(`\n  ${code}  `));
  });

  it("set creates the configuration, then updates it", async () => {
    const first = await cli(["config", "set", ...endpoint, "--url", "https://your.host/trtc"]);
    expect(first).toEqual({
      code: 0,
      stdout: `Created the callback configuration of SDKAppID 1400000001 on ${host()}:\n  Url       https://your.host/trtc\n  Commands  ${COMMAND_NAMES.join("\n            ")}\n`,
      stderr: "",
    });
    const again = await cli(["config", "set", ...endpoint, "--url", "https://new.host/trtc"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Updated the callback configuration of SDKAppID 1400000001 on /);
    expect(fake.configs.get(1400000001)?.Url).toBe("https://new.host/trtc");
  });

  it("set --commands narrows the list; get shows the older update spelling by its canonical name", async () => {
    const set = await cli([
      "config",
      "set",
      ...endpoint,
      "--url",
      "https://your.host/trtc",
      "--commands",
      "Room.CallbackAfterMemberEnter, Room.CallbackUpdateRoomInfo",
    ]);
    expect(set.code).toBe(0);
    expect(fake.configs.get(1400000001)?.CallbackCommandList).toEqual([
      "Room.CallbackAfterMemberEnter",
      "Room.CallbackAfterUpdateRoomInfo",
    ]);
    fake.configs.set(1400000001, {
      Url: "https://your.host/trtc",
      CallbackCommandList: ["Room.CallbackUpdateRoomInfo", "Room.CallbackAfterMemberLeave"],
    });
    expect(await cli(["config", "get", ...endpoint])).toEqual({
      code: 0,
      stdout: `The callback configuration of SDKAppID 1400000001 on ${host()}:\n  Url       https://your.host/trtc\n  Commands  Room.CallbackAfterUpdateRoomInfo\n            Room.CallbackAfterMemberLeave\n`,
      stderr: "",
    });
  });

  it("get says when nothing is set; delete removes the configuration", async () => {
    await cli(["config", "set", ...endpoint, "--url", "https://your.host/trtc"]);
    expect(await cli(["config", "delete", ...endpoint])).toEqual({
      code: 0,
      stdout: `Deleted the callback configuration of SDKAppID 1400000001 on ${host()}: Tencent sends no Room callbacks now.\n`,
      stderr: "",
    });
    expect(fake.configs.size).toBe(0);
    expect(await cli(["config", "get", ...endpoint])).toEqual({
      code: 0,
      stdout: `SDKAppID 1400000001 on ${host()} has no callback configuration: Tencent sends no Room callbacks. Set one with config set.\n`,
      stderr: "",
    });
  });

  it("--dry-run prints the request with the UserSig redacted, and sends nothing", async () => {
    const result = await cli([
      "config",
      "set",
      "--sdk-app-id",
      SDK_APP_ID,
      "--region",
      "singapore",
      "--url",
      "https://your.host/trtc",
      "--dry-run",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^POST https:\/\/adminapisgp\.im\.qcloud\.com\/v4\/room_config\/set_callback\?sdkappid=1400000001&identifier=administrator&usersig=REDACTED&random=\d+&contenttype=json\n/,
    );
    const body = result.stdout.split("\n")[1] ?? "";
    expect(JSON.parse(body)).toEqual({
      Url: "https://your.host/trtc",
      CallbackCommandList: [...COMMAND_NAMES],
    });
    expect(result.stdout).toContain("Dry run: nothing was sent (the UserSig is redacted).");

    const viaFake = await cli(["config", "delete", ...endpoint, "--identifier", "ops", "--dry-run"]);
    expect(viaFake.stdout).toMatch(
      /\/v4\/room_config\/delete_callback\?sdkappid=1400000001&identifier=ops&usersig=REDACTED&/,
    );
    expect(viaFake.stdout.split("\n")[1]).toBe("{}");
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ["set", []],
    ["get", ["--region", "seoul"]],
  ])("a UserSig made for the dry run's request would verify (config %s)", async (action, extra) => {
    // The printed request is the real one but for the UserSig: the same request, sent, is accepted.
    const args = [
      "config",
      action,
      ...endpoint,
      ...extra,
      ...(action === "set" ? ["--url", "https://h/trtc"] : []),
    ];
    const dry = await cli([...args, "--dry-run"]);
    const real = await cli(args);
    expect(real.code).toBe(0);
    const sent = new URLSearchParams(fake.requests[0]?.query);
    expect(decodeUserSig(sent.get("usersig") ?? "")).toMatchObject({ "TLS.identifier": "administrator" });
    expect(dry.stdout.split("\n")[1]).toBe(fake.requests[0]?.body);
  });

  it.each([
    [
      [],
      {},
      "TRTC_SECRET_KEY is not set: export TRTC_SECRET_KEY=<your app's secret key from Tencent's console> first",
    ],
    [[], { TRTC_SECRET_KEY: "" }, "TRTC_SECRET_KEY is empty: export TRTC_SECRET_KEY="],
    [[], { TRTC_SECRET_KEY: `${SECRET}\n` }, "TRTC_SECRET_KEY has leading or trailing whitespace"],
    [["--secret-key", SECRET], undefined, "the secret key is never taken on the command line"],
    [[`--secret-key=${SECRET}`], undefined, "export TRTC_SECRET_KEY=<your app's key> instead"],
    [
      ["--region", "singapur"],
      undefined,
      'unknown --region "singapur" (did you mean singapore?): the regions are china, singapore',
    ],
    [["--endpoint", "not a url"], undefined, "endpoint must be an http(s) base URL"],
    [["--timeout", "0"], undefined, "--timeout must be a whole number from 1 to 600000"],
    [
      ["--url", "https://h/trtc", "--commands", "Room.CallbackAfterMemberEntr"],
      undefined,
      "did you mean Room.CallbackAfterMemberEnter?",
    ],
    [["--url", "ftp://h/trtc"], undefined, "url must start with https:// (recommended) or http://"],
    [["--token", "t"], undefined, "--token is for config check, not config set"],
    [["--launch"], undefined, "Unknown option '--launch'"],
  ])("config set %j exits 2 and says what to fix", async (args, env, message) => {
    const result = await cli(["config", "set", ...endpoint, ...args], env ?? { TRTC_SECRET_KEY: SECRET });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/\nRun "trtc-room-callbacks config --help" for usage\.\n$/);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [["config"], "config needs an action: config set, get, delete or check"],
    [["config", "sett"], 'unknown action "sett" (did you mean set?)'],
    [["config", "get", "extra"], "config get takes no more arguments, got: extra"],
    [["config", "get", "--url", "https://h/t"], "--url is for config set, not config get"],
    [["config", "check", "--dry-run"], "--dry-run is for config set, get and delete, not config check"],
    [["config", "set", "--url", "https://h/t"], "--sdk-app-id is required"],
    [["config", "get", "--sdk-app-id", "app"], "--sdk-app-id must be digits"],
    [["config", "set", "--sdk-app-id", SDK_APP_ID], "--url is required"],
  ])("%j exits 2 and says what to fix", async (args, message) => {
    const result = await cli(args);
    expect(result).toEqual({ code: 2, stdout: "", stderr: expect.stringContaining(message) });
  });

  it("Tencent saying no exits 1 with its code, RequestId and what to do", async () => {
    const result = await cli(["config", "get", ...endpoint], { TRTC_SECRET_KEY: `${SECRET.slice(1)}0` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^trtc-room-callbacks: Tencent's get_callback at 127\.0\.0\.1:\d+ failed with 70009 "usersig verification failed" \(RequestId [0-9a-f-]+\): the UserSig does not verify: the secret key belongs to another app/,
    );
  });

  it("the wrong region exits 1 and says to use the app's region", async () => {
    const singapore = await startFakeTencent({ apps: [] });
    try {
      const result = await cli([
        "config",
        "get",
        "--sdk-app-id",
        SDK_APP_ID,
        "--endpoint",
        singapore.endpoint,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("failed with 70016");
      expect(result.stderr).toContain("use your app's region");
    } finally {
      await singapore.close();
    }
  });

  it("an unreachable REST API exits 3 naming the host", async () => {
    const port = await freePort();
    const result = await cli([
      "config",
      "delete",
      "--sdk-app-id",
      SDK_APP_ID,
      "--endpoint",
      `http://127.0.0.1:${port}`,
    ]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `trtc-room-callbacks: cannot reach Tencent's REST API at 127.0.0.1:${port} (delete_callback): ECONNREFUSED. Check the network, the region or endpoint, and any proxy\n`,
    });
  });

  describe("check", () => {
    it("sends one signed sample per configured command to the configured URL and prints each ack", async () => {
      const receiver = await startReceiver({}, TOKEN);
      try {
        await cli(["config", "set", ...endpoint, "--url", receiver.url]);
        const result = await cli(["config", "check", ...endpoint], {
          TRTC_SECRET_KEY: SECRET,
          TRTC_CALLBACK_TOKEN: TOKEN,
        });
        expect(result).toEqual({
          code: 0,
          stdout:
            `Checking ${receiver.url} (from SDKAppID 1400000001 on ${host()}) with one signed sample per configured command\n` +
            COMMAND_NAMES.map((command) => `${command.padEnd(32)}  HTTP 200, OK\n`).join("") +
            "6 callbacks: 6 OK, 0 not OK\n",
          stderr: "",
        });
        expect(receiver.received).toEqual([...COMMAND_NAMES]);
      } finally {
        await receiver.close();
      }
    });

    it("takes the token as --token too, and checks only the configured commands", async () => {
      const receiver = await startReceiver({}, TOKEN);
      try {
        fake.configs.set(1400000001, {
          Url: receiver.url,
          CallbackCommandList: ["Room.CallbackUpdateRoomInfo", "Room.CallbackAfterMemberEnter"],
        });
        const result = await cli(["config", "check", ...endpoint, "--token", TOKEN]);
        expect(result.code).toBe(0);
        expect(receiver.received).toEqual([
          "Room.CallbackAfterUpdateRoomInfo",
          "Room.CallbackAfterMemberEnter",
        ]);
      } finally {
        await receiver.close();
      }
    });

    it("an unsigned check of a router that needs a token exits 1 with each FAIL", async () => {
      const receiver = await startReceiver({}, TOKEN);
      try {
        fake.configs.set(1400000001, {
          Url: receiver.url,
          CallbackCommandList: ["Room.CallbackAfterMemberEnter"],
        });
        const result = await cli(["config", "check", ...endpoint]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain("with one unsigned sample per configured command\n");
        expect(result.stdout).toMatch(/Room\.CallbackAfterMemberEnter {2}HTTP \d+, (FAIL|not an ack)/);
        expect(result.stdout).toContain("1 callbacks: 0 OK, 1 not OK\n");
        expect(receiver.received).toEqual([]);
      } finally {
        await receiver.close();
      }
    });

    it("sends IDs in Tencent's wire form, so a router mounted after express.json() shows up as FAIL", async () => {
      const receiver = await startReceiver({}, undefined, true);
      try {
        fake.configs.set(1400000001, {
          Url: receiver.url,
          CallbackCommandList: ["Mic.CallbackAfterSeatInfoChanged", "Room.CallbackAfterDestroyRoom"],
        });
        const result = await cli(["config", "check", ...endpoint]);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(
          /Mic\.CallbackAfterSeatInfoChanged {2}HTTP 400, FAIL 4002 .*express\.json\(\)/,
        );
        expect(result.stdout).toContain("Room.CallbackAfterDestroyRoom     HTTP 200, OK\n");
        expect(receiver.received).toEqual(["Room.CallbackAfterDestroyRoom"]);
      } finally {
        await receiver.close();
      }
    });

    it("a handler's CallbackError is shown and exits 1; unknown commands are skipped", async () => {
      const receiver = await startReceiver({
        "Room.CallbackAfterDestroyRoom": () => {
          throw new CallbackError("unknown room", { code: 4404 });
        },
      });
      try {
        fake.configs.set(1400000001, {
          Url: receiver.url,
          CallbackCommandList: [
            "Room.CallbackAfterDestroyRoom",
            "Room.CallbackSomethingNew",
            "Room.CallbackAfterCreateRoom",
          ],
        });
        const result = await cli(["config", "check", ...endpoint]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain(
          'Room.CallbackAfterDestroyRoom  HTTP 200, FAIL 4404 "unknown room"\n',
        );
        expect(result.stdout).toContain(
          "Room.CallbackSomethingNew      skipped: not a Room command this package knows\n",
        );
        expect(result.stdout).toContain("Room.CallbackAfterCreateRoom   HTTP 200, OK\n");
        expect(result.stdout).toContain("2 callbacks: 1 OK, 1 not OK\n");
      } finally {
        await receiver.close();
      }
    });

    it("exits 1 when nothing is configured, 3 when the configured URL cannot be reached", async () => {
      const none = await cli(["config", "check", ...endpoint]);
      expect(none).toEqual({
        code: 1,
        stdout: "",
        stderr: `trtc-room-callbacks: SDKAppID 1400000001 on ${host()} has no callback configuration to check: run config set first\n`,
      });
      const port = await freePort();
      fake.configs.set(1400000001, {
        Url: `http://127.0.0.1:${port}/trtc`,
        CallbackCommandList: ["Room.CallbackAfterMemberEnter"],
      });
      const unreachable = await cli(["config", "check", ...endpoint]);
      expect(unreachable.code).toBe(3);
      expect(unreachable.stderr).toBe(
        `trtc-room-callbacks: cannot reach http://127.0.0.1:${port}/trtc: ECONNREFUSED\n`,
      );
    });
  });

  it("the README's deploy steps print what the README shows", async () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const start = readme.indexOf("## Configuring the callback URL on Tencent's side\n");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({
      lang,
      code,
    }));
    const lines = blocks
      .filter((block) => block.lang === "bash")
      .flatMap((block) => (block.code ?? "").split("\n"))
      .filter((line) => line.startsWith("npx trtc-room-callbacks config "));
    const shown = blocks.filter((block) => block.lang === "text").map((block) => block.code);
    expect(lines.length).toBe(2);
    expect(shown.length).toBe(2);

    const receiver = await startReceiver({}, TOKEN);
    try {
      for (const [i, line] of lines.entries()) {
        const args = line
          .replace("https://your.host/trtc", receiver.url)
          .split(" ")
          .filter((word) => word !== "")
          .slice(2);
        const result = await cli([...args, "--endpoint", fake.endpoint], {
          TRTC_SECRET_KEY: SECRET,
          TRTC_CALLBACK_TOKEN: TOKEN,
        });
        expect(result.code).toBe(0);
        expect(
          result.stdout
            .replaceAll(receiver.url, "https://your.host/trtc")
            .replaceAll(host(), REGIONS.singapore),
        ).toBe(shown[i]);
      }
      expect(receiver.received).toEqual([...COMMAND_NAMES]);
    } finally {
      await receiver.close();
    }
  });
});
