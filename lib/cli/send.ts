import { readFile } from "node:fs/promises";
import { COMMAND_NAMES, lookupCommand } from "../commands/registry";
import { closest } from "../core/suggest";
import { sampleEvent } from "../testing/sample-event";
import {
  applyAssignment,
  parse,
  readTarget,
  TARGET_OPTIONS,
  UsageError,
  type AssignmentKind,
  type CliEnv,
} from "./args";
import { callbackUrl, deliver } from "./deliver";
import { EXIT, PROGRAM, SEND_HELP } from "./help";
import type { Output } from "./output";
import { parseWireJson, toWireJson } from "./wire-json";

const OPTIONS = {
  ...TARGET_OPTIONS,
  set: { type: "string", multiple: true },
  add: { type: "string", multiple: true },
  file: { type: "string" },
} as const;

/** `send <callback>`: one callback, its status and ack; exit 0 only for an OK ack. */
export async function send(
  args: readonly string[],
  out: Output,
  now: () => number,
  env: CliEnv = process.env,
): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) {
    out.stdout(SEND_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new UsageError(`send takes one callback, got ${positionals.length}: ${positionals.join(" ")}`);
  }
  const target = readTarget(values, env);
  // --add first, so a --set may change what an --add created.
  const assignments: [AssignmentKind, string][] = [
    ...(values.add ?? []).map((assignment) => ["add", assignment] as [AssignmentKind, string]),
    ...(values.set ?? []).map((assignment) => ["set", assignment] as [AssignmentKind, string]),
  ];
  const { command, body } = await buildBody(
    positionals[0],
    values.file,
    assignments,
    values["string-ids"] === true,
    now,
  );

  const url = callbackUrl(target, command);
  out.stdout(`POST ${url.href}\n${body}\n`);
  const answer = await deliver(url, body, target);
  out.stdout(`HTTP ${answer.status} in ${answer.elapsedMs} ms\n${answer.text}\n`);
  if (answer.ok) return EXIT.ok;
  out.stderr(
    answer.ack
      ? `${PROGRAM}: the callback was not acknowledged: ${answer.ack.ActionStatus} ${answer.ack.ErrorCode} ${answer.ack.ErrorInfo}\n`
      : `${PROGRAM}: the answer is not an ack (Tencent needs HTTP 200 with JSON {"ActionStatus","ErrorCode","ErrorInfo"})\n`,
  );
  return EXIT.failed;
}

async function buildBody(
  requested: string | undefined,
  file: string | undefined,
  assignments: readonly [AssignmentKind, string][],
  stringIds: boolean,
  now: () => number,
): Promise<{ command: string; body: string }> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new UsageError(`--file ${file}: ${(error as Error).message}`);
    }
    let event: unknown;
    try {
      // Numbers as written: a bare 18-digit user ID stays bare and exact when the event is edited.
      event = parseWireJson(text);
    } catch (error) {
      throw new UsageError(`--file ${file} is not JSON: ${(error as Error).message}`);
    }
    const inFile =
      isObject(event) && typeof event["CallbackCommand"] === "string" ? event["CallbackCommand"] : undefined;
    const command = requested ?? inFile;
    if (command === undefined) {
      throw new UsageError(
        `--file ${file} has no CallbackCommand: name the callback, as in send <callback> --file ${file}`,
      );
    }
    if (assignments.length === 0 && !stringIds) return { command, body: text };
    if (!isObject(event)) {
      throw new UsageError(`--set, --add and --string-ids need --file ${file} to hold a JSON object`);
    }
    for (const [kind, assignment] of assignments)
      applyAssignment(event, assignment, kind, `the event in --file ${file}`);
    return { command, body: toWireJson(event, { stringIds, indent: 2 }) };
  }

  if (requested === undefined) {
    throw new UsageError(`send needs the callback to send, one of: ${COMMAND_NAMES.join(", ")}`);
  }
  const canonical = lookupCommand(requested)?.name;
  if (canonical === undefined) {
    const hint = closest(requested, COMMAND_NAMES);
    throw new UsageError(
      `unknown callback ${JSON.stringify(requested)}${hint ? `: did you mean ${hint}?` : ""} Callbacks: ${COMMAND_NAMES.join(", ")}`,
    );
  }
  // The sample's EventTime is from the docs: a receiver ordering events by time would call it stale.
  const event = { ...(sampleEvent(canonical) as object), EventTime: now() } as Record<string, unknown>;
  // An older spelling is sent as asked, in the body as in the query.
  event["CallbackCommand"] = requested;
  for (const [kind, assignment] of assignments)
    applyAssignment(event, assignment, kind, `the sample of ${requested}`);
  return { command: requested, body: toWireJson(event, { stringIds, indent: 2 }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
