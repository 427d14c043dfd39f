import express from "express";
import { readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import request from "supertest";
import { createCallbackRouter, COMMAND_NAMES, type CallbackHandlers } from "trtc-room-callbacks";
import { callbackQuery } from "trtc-room-callbacks/testing";
import { createExampleApp } from "../example-app/app";
import { startupMessage } from "../example-app/banner";
import { DEFAULT_CONFIG } from "../example-app/config";
import { main } from "../lib/cli/main";
import { samples } from "./helpers/fixtures";

/**
 * Every code sample in the README is exercised here:
 *
 * - each ```ts block is mirrored verbatim, between `// README: "<name>" (begin)`
 *   and `(end)` comments, in a test file that runs it (this one, or the test
 *   of the feature it shows), and that file imports what the block imports;
 * - the example app's room (```json) and start-up message (```text) are what
 *   the app serves and prints, and the set_callback body (```json) lists
 *   every command;
 * - each `npx trtc-room-callbacks` and `curl` line of a ```sh block (and of
 *   the start-up message) runs against a live example app: exit 0, HTTP 200;
 *   the CLI section's ```text blocks are what those commands print. CI runs
 *   `npm install` and `npm test`; example-app/server.test.ts starts what
 *   `npm start` runs, in-process.
 */
const root = join(__dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

interface Block {
  lang: string;
  code: string;
  line: number;
  section: string;
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = "";
  let open: Block | undefined;
  for (const [index, line] of markdown.split("\n").entries()) {
    if (open) {
      if (line === "```") {
        blocks.push(open);
        open = undefined;
      } else {
        open.code += `${line}\n`;
      }
    } else if (line.startsWith("## ")) {
      section = line.slice(3);
    } else if (line.startsWith("```")) {
      open = { lang: line.slice(3).trim(), code: "", line: index + 1, section };
    }
  }
  return blocks;
}

const blocks = codeBlocks(readme);
const inSection = (section: string, lang: string) =>
  blocks.filter((block) => block.section === section && block.lang === lang);

/** A block's leading import statements, and the code after them. */
function splitImports(code: string): { imports: string[]; body: string } {
  const lines = code.split("\n");
  const imports: string[] = [];
  let i = 0;
  while (i < lines.length && (lines[i] === "" || lines[i]?.startsWith("import "))) {
    if (lines[i] === "") {
      i++;
      continue;
    }
    let statement = lines[i++] as string;
    while (!statement.trimEnd().endsWith(";") && i < lines.length) statement += `\n${lines[i++]}`;
    imports.push(statement);
  }
  return { imports, body: lines.slice(i).join("\n").trimEnd() };
}

/** The bindings an import statement brings in from its module, such as `express`, `createCallbackRouter`. */
function bindings(statement: string): { module: string; names: string[] } {
  const match = /^import\s+(?:type\s+)?([\s\S]*?)\s+from\s+"([^"]+)";?\s*$/.exec(statement);
  if (!match) throw new Error(`cannot read the import ${statement}`);
  const [, clause = "", module = ""] = match;
  const names: string[] = [];
  const braces = /\{([\s\S]*)\}/.exec(clause);
  const outside = clause
    .replace(/\{[\s\S]*\}/, "")
    .replace(/,/g, " ")
    .trim();
  if (outside) names.push(outside);
  for (const name of braces?.[1]?.split(",") ?? []) {
    const cleaned = name.replace(/^\s*type\s+/, "").trim();
    if (cleaned) names.push(cleaned);
  }
  return { module, names };
}

function fileImports(source: string): Map<string, Set<string>> {
  const byModule = new Map<string, Set<string>>();
  for (const statement of source.match(/^import\s[\s\S]*?from\s+"[^"]+";/gm) ?? []) {
    const { module, names } = bindings(statement);
    const set = byModule.get(module) ?? new Set<string>();
    for (const name of names) set.add(name);
    byModule.set(module, set);
  }
  return byModule;
}

function dedent(lines: string[]): string {
  const indent = Math.min(
    ...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0),
  );
  return lines.map((line) => line.slice(indent)).join("\n");
}

interface Mirror {
  name: string;
  file: string;
  body: string;
  source: string;
}

/** Every `// README: "<name>" (begin)` … `(end)` region of the test files. */
function mirrors(): Mirror[] {
  const files = [
    ...readdirSync(join(root, "__tests__"), { recursive: true, encoding: "utf8" }).map((file) =>
      join(root, "__tests__", file),
    ),
    ...readdirSync(join(root, "example-app"), { encoding: "utf8" }).map((file) =>
      join(root, "example-app", file),
    ),
  ].filter((file) => file.endsWith(".test.ts"));
  const found: Mirror[] = [];
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    const lines = source.split("\n");
    for (const [index, line] of lines.entries()) {
      const begin = /^\s*\/\/ README: "([^"]+)" \(begin\)/.exec(line);
      if (!begin) continue;
      const name = begin[1] as string;
      const end = lines.findIndex((other, at) => at > index && other.trim() === `// README: "${name}" (end)`);
      if (end === -1) throw new Error(`${file}: README region "${name}" has no end`);
      found.push({ name, file, source, body: dedent(lines.slice(index + 1, end)).trimEnd() });
    }
  }
  return found;
}

describe("README code samples", () => {
  const tsBlocks = blocks.filter((block) => block.lang === "ts");
  const regions = mirrors();

  it("has TypeScript samples, each in a section", () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(block.section).not.toBe("");
  });

  it.each(tsBlocks.map((block) => [block.line, block.section, block] as const))(
    "the ts block at line %d (%s) is mirrored verbatim by a test, with its imports",
    (_line, _section, block) => {
      const { imports, body } = splitImports(block.code);
      const mirror = regions.find((region) => region.body === body);
      if (!mirror) {
        const named = regions.find((region) => region.name === block.section);
        // Shows the difference when the region named after the section has drifted.
        expect(named?.body ?? "(no region)").toBe(body);
      }
      expect(mirror).toBeDefined();
      const available = fileImports(mirror?.source ?? "");
      for (const statement of imports) {
        const { module, names } = bindings(statement);
        for (const name of names)
          expect({ module, name, imported: available.get(module)?.has(name) }).toEqual({
            module,
            name,
            imported: true,
          });
      }
    },
  );

  it("has no mirror left over from a sample the README no longer shows", () => {
    const bodies = new Set(tsBlocks.map((block) => splitImports(block.code).body));
    for (const region of regions)
      expect({ region: region.name, inReadme: bodies.has(region.body) }).toEqual({
        region: region.name,
        inReadme: true,
      });
  });
});

describe("the README's samples, run", () => {
  let listen: jest.SpyInstance;
  beforeEach(() => {
    // The samples end with app.listen(3000): tests never take a fixed port.
    listen = jest.spyOn(express.application, "listen").mockImplementation((() => ({})) as never);
  });
  afterEach(() => {
    listen.mockRestore();
  });

  const query = (command: string) => callbackQuery({ sdkAppId: 1400000001, command });
  const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

  it("Quick start: mounts the router, tracks members, and acks OK a leave or destroy of an unknown room", async () => {
    function quickStart() {
      // README: "Quick start" (begin)
      const online = new Map<string, Set<string>>(); // room ID → user IDs
      const handlers: CallbackHandlers = {
        "Room.CallbackAfterMemberEnter": (event) => {
          const members = online.get(event.RoomId) ?? new Set<string>();
          for (const id of event.MemberList_Account ?? []) members.add(id);
          online.set(event.RoomId, members);
        },
        "Room.CallbackAfterMemberLeave": (event) => {
          // Leave, Kicked or Expired: the members are gone either way.
          for (const id of event.MemberList_Account ?? []) online.get(event.RoomId)?.delete(id);
        },
        "Room.CallbackAfterDestroyRoom": (event) => {
          // A room this process never saw is no failure: it happens after every restart.
          online.delete(event.RoomId);
        },
      };

      const app = express();
      app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers }));
      app.listen(3000);
      // README: "Quick start" (end)
      return { app, online };
    }
    const { app, online } = quickStart();
    expect(listen).toHaveBeenCalledWith(3000);
    const post = (command: string, body: object) =>
      request(app).post("/trtc").query(query(command)).send(JSON.stringify(body)).expect(200, OK);

    await post("Room.CallbackAfterMemberEnter", { RoomId: "r1", MemberList_Account: ["alice", "bob"] });
    expect([...(online.get("r1") ?? [])]).toEqual(["alice", "bob"]);
    await post("Room.CallbackAfterMemberLeave", {
      RoomId: "r1",
      Type: "Kicked",
      MemberList_Account: ["bob"],
    });
    expect([...(online.get("r1") ?? [])]).toEqual(["alice"]);
    await post("Room.CallbackAfterDestroyRoom", { RoomId: "r1" });
    expect(online.has("r1")).toBe(false);
    // As after a restart: a leave and a destroy for a room this process never saw.
    await post("Room.CallbackAfterMemberLeave", { RoomId: "r1", MemberList_Account: ["alice"] });
    await post("Room.CallbackAfterDestroyRoom", { RoomId: "r1" });
    expect(online.size).toBe(0);
  });

  it("Coexisting with express.json(): the router first keeps 18-digit IDs exact; the rest gets parsed JSON", async () => {
    function coexisting() {
      // README: "Coexisting with `express.json()`" (begin)
      const seated: string[] = [];
      const app = express();
      // First: the router reads the body itself, so 18-digit user IDs stay exact.
      app.use(
        "/trtc",
        createCallbackRouter({
          sdkAppId: 1400000001,
          handlers: {
            "Mic.CallbackAfterSeatInfoChanged": (event) => {
              seated.push(...(event.SeatList ?? []).flatMap((seat) => seat.Member_Account ?? []));
            },
          },
        }),
      );
      // Then the JSON parser, for the rest of the app.
      app.use(express.json());
      app.post("/api/echo", (req, res) => {
        res.json(req.body);
      });
      // README: "Coexisting with `express.json()`" (end)
      return { app, seated };
    }
    const { app, seated } = coexisting();
    const command = "Mic.CallbackAfterSeatInfoChanged";
    await request(app)
      .post("/trtc")
      .query(query(command))
      .set("Content-Type", "application/json")
      .send(samples[command])
      .expect(200, OK);
    expect(seated).toEqual(["144115233775727695"]);
    await request(app).post("/api/echo").send({ note: "hi" }).expect(200, { note: "hi" });
  });
});

describe("the README's example app section", () => {
  it("shows a room as GET /rooms/:roomId serves it", async () => {
    const [block] = inSection("The example app", "json");
    expect(block).toBeDefined();
    const app = createExampleApp({ sdkAppId: 1400000001 });
    const T = 1_700_000_000_000;
    const events: [string, object][] = [
      [
        "Room.CallbackAfterCreateRoom",
        {
          RoomInfo: {
            RoomId: "demo",
            RoomName: "Standup",
            Owner_Account: "alice",
            MaxSeatCount: 2,
            TakeSeatMode: "FreeToTake",
          },
          ScheduleInviteeList_Account: ["bob"],
          EventTime: T,
        },
      ],
      ["Room.CallbackAfterMemberEnter", { RoomId: "demo", MemberList_Account: ["alice"], EventTime: T + 10 }],
      ["Room.CallbackAfterMemberEnter", { RoomId: "demo", MemberList_Account: ["bob"], EventTime: T + 20 }],
      [
        "Mic.CallbackAfterSeatInfoChanged",
        { RoomId: "demo", SeatList: [{ Index: 0, Member_Account: "alice" }], EventTime: T + 30 },
      ],
      [
        "Mic.CallbackAfterSeatInfoChanged",
        { RoomId: "demo", SeatList: [{ Index: 1, IsTakenDisabled: true }], EventTime: T + 40 },
      ],
    ];
    for (const [command, body] of events) {
      await request(app)
        .post("/trtc")
        .query(callbackQuery({ sdkAppId: 1400000001, command }))
        .send(JSON.stringify(body))
        .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    }
    const res = await request(app).get("/rooms/demo").expect(200);
    expect(res.body).toEqual(JSON.parse(block?.code ?? "null"));
  });

  it("shows the start-up message npm start prints", () => {
    const [block] = inSection("The example app", "text");
    expect(block?.code).toBe(startupMessage(DEFAULT_CONFIG, 3000));
  });
});

describe("the README's Tencent configuration", () => {
  it("subscribes to every command the package handles", () => {
    const [block] = inSection("Configuring the callback URL on Tencent's side", "json");
    const body = JSON.parse(block?.code ?? "null") as { Url: string; CallbackCommandList: string[] };
    expect(body.Url).toMatch(/^https:\/\/.+\/trtc$/);
    expect([...body.CallbackCommandList].sort()).toEqual([...COMMAND_NAMES].sort());
  });
});

describe("the README's command lines", () => {
  /** Splits a shell line into words, honouring '…' and "…" quoting. */
  function words(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
      (match) => match[1] ?? match[2] ?? match[3] ?? "",
    );
  }

  // Shell blocks, and the commands the example app's start-up message offers.
  const shellLines = blocks
    .filter((block) => block.lang === "sh" || (block.lang === "text" && block.section === "The example app"))
    .flatMap((block) => block.code.split("\n").map((line) => [block.section, line.trim()] as const));
  const commandLines = shellLines.filter(([, line]) => line.startsWith("npx trtc-room-callbacks "));

  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const listening = createExampleApp({ sdkAppId: 1400000001 }).listen(0, "127.0.0.1", () =>
        resolve(listening),
      );
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trtc`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("has some", () => {
    expect(commandLines.length).toBeGreaterThanOrEqual(3);
  });

  it("shows what send and simulate print", async () => {
    const [sendOutput, simulateOutput] = inSection("The command-line simulator", "text");
    const [sendLine, simulateLine] = commandLines
      .filter(([section]) => section === "The command-line simulator")
      .map(([, line]) => line)
      .filter((line) => line.includes("MemberList_Account=alice,bob") || line.includes(" simulate "));
    const run = async (line: string) => {
      let output = "";
      const args = words(line.replaceAll("http://127.0.0.1:3000/trtc", url)).slice(2);
      const code = await main(
        args,
        { stdout: (text) => void (output += text), stderr: () => {} },
        () => 1732240000000,
      );
      expect(code).toBe(0);
      // The README shows the default port, and one run's timing.
      return output.replaceAll(url, "http://127.0.0.1:3000/trtc").replace(/ in \d+ ms\n/, " in 4 ms\n");
    };
    expect(await run(sendLine ?? "")).toBe(sendOutput?.code);
    expect(await run(simulateLine ?? "")).toBe(simulateOutput?.code);
  });

  const curlLines = shellLines.map(([, line]) => line).filter((line) => line.startsWith("curl "));

  it.each(curlLines)("%s answers 200 from the example app", async (line) => {
    const args = words(line.replaceAll("http://127.0.0.1:3000", url.replace(/\/trtc$/, "")));
    const method = args.includes("-X") ? args[args.indexOf("-X") + 1] : "GET";
    const body = args.includes("-d") ? args[args.indexOf("-d") + 1] : undefined;
    const target = args.find((arg) => arg.startsWith("http://"));
    const response = await fetch(target ?? "", { method, body });
    expect(response.status).toBe(200);
  });

  it.each(commandLines)("%s: %s exits 0 against the example app", async (_section, line) => {
    const args = words(line.replaceAll("http://127.0.0.1:3000/trtc", url)).slice(2);
    let output = "";
    const append = (text: string) => void (output += text);
    const code = await main(args, { stdout: append, stderr: append });
    expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
  });
});
