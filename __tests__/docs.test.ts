import type Joi from "joi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../lib/commands/registry";
import { roomInfoSchema } from "../lib/commands/room-info";
import { ErrorCodes } from "../lib/core/errors";

/**
 * The README's reference tables are the registry's and the error codes' in
 * prose: a command, a field, a required marker or an error code added in the
 * code and not in the manual (or the reverse) fails here.
 */
const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** The rows of the first Markdown table after `heading`, as cells. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const lines = readme.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

function keysOf(schema: Joi.Schema): { all: string[]; required: string[] } {
  const keys = (schema.describe() as { keys: Record<string, { flags?: { presence?: string } }> }).keys;
  return {
    all: Object.keys(keys),
    required: Object.keys(keys).filter((key) => keys[key]?.flags?.presence === "required"),
  };
}

const BASE_FIELDS = ["Operator_Account", "EventTime"];

describe("README: The six commands", () => {
  const rows = tableAfter("## The six commands");

  it("lists every command of the registry, in its order, and no other", () => {
    expect(rows.map(([command]) => /`([^`]+)`/.exec(command ?? "")?.[1])).toEqual(
      COMMANDS.map((c) => c.name),
    );
  });

  it.each(COMMANDS.map((command, index) => [command.name, command, index] as const))(
    "%s: its page, its older spellings, every field, required ones in bold",
    (_, command, index) => {
      const [name = "", page = "", fields = ""] = rows[index] ?? [];
      expect(page).toContain(`https://trtc.io/document/${command.docPage}`);
      for (const alias of command.aliases) expect(name).toContain(`\`${alias}\``);
      const { all, required } = keysOf(command.schema);
      for (const key of all.filter((key) => !BASE_FIELDS.includes(key))) {
        expect(fields).toMatch(new RegExp(`\\b${key}\\b`));
      }
      for (const key of required) expect(fields).toContain(`**\`${key}\`**`);
      const mentioned = [...fields.matchAll(/\b([A-Z][A-Za-z]+(?:_Account)?)\b/g)].map((match) => match[1]);
      const nested =
        command.name === "Mic.CallbackAfterSeatInfoChanged"
          ? ["Index", "Member_Account", "IsTakenDisabled", "IsVideoDisabled", "IsAudioDisabled"]
          : [];
      const enumValues = ["Enter", "Leave", "Kicked", "Expired"];
      expect(
        mentioned.filter(
          (word) => !all.includes(word!) && !nested.includes(word!) && !enumValues.includes(word!),
        ),
      ).toEqual([]);
    },
  );

  it("lists every RoomInfo field, RoomId in bold", () => {
    const start = readme.indexOf("`RoomInfo`: ");
    const paragraph = readme.slice(start, readme.indexOf("\n\n", start));
    const { all, required } = keysOf(roomInfoSchema);
    for (const key of all) expect(paragraph).toMatch(new RegExp(`\`${key}\``));
    expect(required).toEqual(["RoomId"]);
    expect(paragraph).toContain("**`RoomId`**");
  });
});

describe("README: Errors", () => {
  it("has one row per error code, in ascending order", () => {
    const codes = tableAfter("## Errors").map(([code]) => Number(code));
    expect(codes).toEqual([...Object.values(ErrorCodes)].sort((a, b) => a - b));
  });
});
