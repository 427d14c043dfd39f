import { UsageError } from "./args";
import { config } from "./config";
import { UnreachableError } from "./deliver";
import { CONFIG_HELP, EXIT, MAIN_HELP, PROGRAM, QUEUE_HELP, SEND_HELP, SIMULATE_HELP } from "./help";
import type { Output } from "./output";
import { queue } from "./queue";
import { send } from "./send";
import { simulate } from "./simulate";

export type { Output } from "./output";
export { EXIT } from "./help";

const COMMANDS = { send, simulate, config, queue };
const HELP: Record<string, string> = {
  send: SEND_HELP,
  simulate: SIMULATE_HELP,
  config: CONFIG_HELP,
  queue: QUEUE_HELP,
};

/**
 * Runs the command line `args` (without `node` and the script) and resolves
 * to the exit code. Never exits (the caller does), and rejects only on a bug.
 *
 * @param now - the clock for `EventTime`, in ms; `Date.now` by default.
 * @param env - the environment (`TRTC_CALLBACK_TOKEN`, `TRTC_SECRET_KEY`); `process.env` by default.
 */
export async function main(
  args: readonly string[],
  out: Output,
  now: () => number = Date.now,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic !== undefined && !Object.hasOwn(HELP, topic))
      return usage(out, `no command ${JSON.stringify(topic)}`);
    out.stdout(topic === undefined ? MAIN_HELP : (HELP[topic] as string));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    return usage(
      out,
      `unknown command ${JSON.stringify(name)}: the commands are send and simulate to send callbacks, config for the setup on Tencent's side, and queue for the durable-delivery queue`,
    );
  }
  try {
    return await COMMANDS[name as keyof typeof COMMANDS](rest, out, now, env);
  } catch (error) {
    if (error instanceof UsageError) return usage(out, error.message, name);
    if (error instanceof UnreachableError) {
      out.stderr(`${PROGRAM}: ${error.message}\n`);
      return EXIT.unreachable;
    }
    throw error;
  }
}

function usage(out: Output, message: string, command?: string): number {
  const help = command ? `${PROGRAM} ${command} --help` : `${PROGRAM} --help`;
  out.stderr(`${PROGRAM}: ${message}\nRun "${help}" for usage.\n`);
  return EXIT.usage;
}
