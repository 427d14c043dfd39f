import { COMMAND_NAMES, ConfigurationError, type CallbackCommand } from "../index";
import { createRoomConfigClient, setCallbackBody } from "../rest/client";
import { closest } from "../core/suggest";
import { resolveClientOptions, type RoomConfigClientOptions } from "../rest/options";
import { isRegion, REGION_NAMES } from "../rest/regions";
import { buildRequest, redactedUrl, type RoomConfigApi } from "../rest/request";
import { TencentApiError, TencentRequestError } from "../rest/tencent-api-error";
import { sampleEvent } from "../testing";
import { parse, readInteger, readTarget, UsageError } from "./args";
import { callbackUrl, deliver, describe } from "./deliver";
import { CONFIG_HELP, EXIT, PROGRAM } from "./help";
import type { Output } from "./output";
import { toWireJson } from "./wire-json";

const OPTIONS = {
  "sdk-app-id": { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  identifier: { type: "string" },
  timeout: { type: "string" },
  url: { type: "string" },
  commands: { type: "string" },
  "dry-run": { type: "boolean" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const ACTIONS = ["set", "get", "delete", "check"] as const;
type Action = (typeof ACTIONS)[number];

/** Which options only some actions take. */
const ONLY: Partial<Record<keyof typeof OPTIONS, readonly Action[]>> = {
  url: ["set"],
  commands: ["set"],
  "dry-run": ["set", "get", "delete"],
  token: ["check"],
};

/** The environment variables `config` reads. */
export interface ConfigEnv {
  TRTC_SECRET_KEY?: string | undefined;
  TRTC_CALLBACK_TOKEN?: string | undefined;
}

/**
 * `config set|get|delete|check`: the app's callback configuration on
 * Tencent's side, through the REST API, signed with `TRTC_SECRET_KEY`.
 * Exit 0 done, 1 Tencent said no (or a checked callback was not acknowledged),
 * 2 usage, 3 Tencent or the callback URL could not be reached.
 */
export async function config(
  args: readonly string[],
  out: Output,
  now: () => number,
  env: ConfigEnv = process.env,
): Promise<number> {
  // Before parsing: parseArgs quotes an unknown option's whole text, value included.
  if (args.some((arg) => /^--?(secret|key|user-?sig)/i.test(arg))) {
    throw new UsageError(
      "the secret key is never taken on the command line (it would stay in the shell's history): export TRTC_SECRET_KEY=<your app's key> instead",
    );
  }
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) {
    out.stdout(CONFIG_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    const hint = action === undefined ? undefined : closest(action, ACTIONS);
    throw new UsageError(
      `${action === undefined ? "config needs an action" : `unknown action ${JSON.stringify(action)}${hint ? ` (did you mean ${hint}?)` : ""}`}: config set, get, delete or check`,
    );
  }
  if (extra.length > 0)
    throw new UsageError(`config ${action} takes no more arguments, got: ${extra.join(" ")}`);
  for (const [name, actions] of Object.entries(ONLY)) {
    if (values[name as keyof typeof values] !== undefined && !actions.includes(action as Action)) {
      const list =
        actions.length > 1 ? `${actions.slice(0, -1).join(", ")} and ${actions.at(-1)}` : actions[0];
      throw new UsageError(`--${name} is for config ${list}, not config ${action}`);
    }
  }

  const options = clientOptions(values, env);
  try {
    if (values["dry-run"]) return dryRun(action as Exclude<Action, "check">, options, values, out);
    const client = createRoomConfigClient(options);
    const where = `SDKAppID ${client.sdkAppId} on ${client.host}`;
    switch (action as Action) {
      case "set": {
        const result = await client.setCallback({
          url: requireUrl(values.url),
          commands: commandList(values),
        });
        out.stdout(
          `${result.created ? "Created" : "Updated"} the callback configuration of ${where}:\n${show(result)}`,
        );
        return EXIT.ok;
      }
      case "get": {
        const configuration = await client.getCallback();
        out.stdout(
          configuration
            ? `The callback configuration of ${where}:\n${show(configuration)}`
            : `${where} has no callback configuration: Tencent sends no Room callbacks. Set one with config set.\n`,
        );
        return EXIT.ok;
      }
      case "delete":
        await client.deleteCallback();
        out.stdout(`Deleted the callback configuration of ${where}: Tencent sends no Room callbacks now.\n`);
        return EXIT.ok;
      case "check":
        return await check(client, where, values, env, out, now);
    }
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(withoutPrefix(error.message));
    if (error instanceof TencentApiError) {
      out.stderr(`${PROGRAM}: ${error.message}\n`);
      return EXIT.failed;
    }
    if (error instanceof TencentRequestError) {
      out.stderr(`${PROGRAM}: ${error.message}\n`);
      return EXIT.unreachable;
    }
    throw error;
  }
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>["values"];

function clientOptions(values: Values, env: ConfigEnv): RoomConfigClientOptions {
  const secretKey = env.TRTC_SECRET_KEY;
  if (secretKey === undefined || secretKey.trim() === "") {
    throw new UsageError(
      `TRTC_SECRET_KEY is ${secretKey === undefined ? "not set" : "empty"}: export TRTC_SECRET_KEY=<your app's secret key from Tencent's console> first (it is never taken on the command line)`,
    );
  }
  if (secretKey.trim() !== secretKey) {
    throw new UsageError(
      "TRTC_SECRET_KEY has leading or trailing whitespace, which Tencent's keys never have: export it again without (a line read from a file often ends in a newline)",
    );
  }
  const sdkAppId = values["sdk-app-id"];
  if (sdkAppId === undefined)
    throw new UsageError("--sdk-app-id is required: your app's SDKAppID, such as 1400000001");
  if (!/^\d+$/.test(sdkAppId))
    throw new UsageError(`--sdk-app-id must be digits, such as 1400000001, not ${sdkAppId}`);
  const { region, endpoint } = values;
  if (region !== undefined && !isRegion(region)) {
    const hint = closest(region, REGION_NAMES);
    throw new UsageError(
      `unknown --region ${JSON.stringify(region)}${hint ? ` (did you mean ${hint}?)` : ""}: the regions are ${REGION_NAMES.join(", ")}; --endpoint <url> reaches another host`,
    );
  }
  return {
    sdkAppId,
    secretKey,
    identifier: values.identifier,
    region,
    endpoint,
    timeoutMs: readInteger(values.timeout, "--timeout", 1, 600_000, 10_000),
  };
}

function dryRun(
  action: Exclude<Action, "check">,
  options: RoomConfigClientOptions,
  values: Values,
  out: Output,
): number {
  const settings = resolveClientOptions(options);
  const api: RoomConfigApi = `${action}_callback`;
  const body =
    action === "set" ? setCallbackBody({ url: requireUrl(values.url), commands: commandList(values) }) : {};
  const request = buildRequest(settings, api, body);
  out.stdout(
    `POST ${redactedUrl(request)}\n${request.body}\n` +
      `Dry run: nothing was sent (the UserSig is redacted).${action === "set" ? " When a configuration exists, set_callback answers 100300 and the same body goes to update_callback." : ""}\n`,
  );
  return EXIT.ok;
}

/** `config check`: one signed sample per configured command to the configured URL, each ack printed. */
async function check(
  client: ReturnType<typeof createRoomConfigClient>,
  where: string,
  values: Values,
  env: ConfigEnv,
  out: Output,
  now: () => number,
): Promise<number> {
  const configuration = await client.getCallback();
  if (configuration === undefined) {
    out.stderr(`${PROGRAM}: ${where} has no callback configuration to check: run config set first\n`);
    return EXIT.failed;
  }
  const target = readTarget(
    {
      url: configuration.url,
      "sdk-app-id": String(client.sdkAppId),
      token: values.token,
      timeout: values.timeout,
    },
    env,
  );
  const token = target.token;
  out.stdout(
    `Checking ${configuration.url} (from ${where}) with one ${token === undefined ? "unsigned" : "signed"} sample per configured command\n`,
  );
  const width = Math.max(...configuration.commands.map((command) => command.length));
  let failed = 0;
  for (const command of configuration.commands) {
    if (!(COMMAND_NAMES as readonly string[]).includes(command)) {
      out.stdout(`${command.padEnd(width)}  skipped: not a Room command this package knows\n`);
      continue;
    }
    // EventTime now: a receiver ordering events by time would call the doc sample's stale.
    const event = { ...(sampleEvent(command as CallbackCommand) as object), EventTime: now() };
    // In Tencent's wire form (18-digit IDs as bare numbers), so a receiver behind express.json() shows up here too.
    const body = toWireJson(event, { stringIds: false });
    const answer = await deliver(callbackUrl(target, command), body, target);
    if (!answer.ok) failed++;
    out.stdout(`${command.padEnd(width)}  ${describe(answer)}\n`);
  }
  const sent = configuration.commands.filter((command) =>
    (COMMAND_NAMES as readonly string[]).includes(command),
  );
  out.stdout(`${sent.length} callbacks: ${sent.length - failed} OK, ${failed} not OK\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

function requireUrl(url: string | undefined): string {
  if (url === undefined) {
    throw new UsageError(
      "--url is required: where Tencent should send callbacks, such as https://your.host/trtc",
    );
  }
  return url;
}

function commandList(values: Values): string[] | undefined {
  return values.commands
    ?.split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

function show(configuration: { url: string; commands: readonly string[] }): string {
  return `  Url       ${configuration.url}\n  Commands  ${configuration.commands.join("\n            ")}\n`;
}

function withoutPrefix(message: string): string {
  return message.replace(/^trtc-room-callbacks: /, "");
}
