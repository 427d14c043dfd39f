import { parse, readInteger, readTarget, TARGET_OPTIONS, UsageError, type CliEnv } from "./args";
import { callbackUrl, deliver, describe } from "./deliver";
import { EXIT, SIMULATE_HELP } from "./help";
import { planMeeting } from "./meeting";
import type { Output } from "./output";
import { toWireJson } from "./wire-json";

const OPTIONS = {
  ...TARGET_OPTIONS,
  members: { type: "string" },
  seats: { type: "string" },
  "room-id": { type: "string" },
  "keep-room": { type: "boolean" },
} as const;

/** `simulate`: a whole meeting, one line per callback; exit 1 if any ack is not OK. */
export async function simulate(
  args: readonly string[],
  out: Output,
  now: () => number,
  env: CliEnv = process.env,
): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) {
    out.stdout(SIMULATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`simulate takes no arguments, got: ${positionals.join(" ")}`);
  const target = readTarget(values, env);
  const stringIds = values["string-ids"] === true;
  const members = readInteger(values.members, "--members", 2, 100, 4);
  const seats = readInteger(values.seats, "--seats", 1, 100, 3);
  const roomId = values["room-id"] ?? `sim-${now()}`;
  if (roomId === "") throw new UsageError("--room-id is empty");

  // Each event is later than the one before, even within a millisecond.
  let last = 0;
  const clock = () => (last = Math.max(now(), last + 1));
  const steps = planMeeting({ roomId, members, seats, keepRoom: values["keep-room"] === true }, clock);

  out.stdout(
    `Simulating a meeting in room ${roomId} (${members} members, ${seats} ${seats === 1 ? "seat" : "seats"}) at ${target.url.href}\n`,
  );
  const width = String(steps.length).length;
  let failed = 0;
  for (const [i, build] of steps.entries()) {
    const { command, summary, event } = build();
    const answer = await deliver(callbackUrl(target, command), toWireJson(event, { stringIds }), target);
    if (!answer.ok) failed++;
    const number = `${String(i + 1).padStart(width)}/${steps.length}`;
    out.stdout(`${number}  ${command.padEnd(34)} ${summary.padEnd(46)} ${describe(answer)}\n`);
  }
  out.stdout(`${steps.length} callbacks: ${steps.length - failed} OK, ${failed} not OK\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
