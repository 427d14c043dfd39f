import { COMMAND_NAMES } from "../commands/registry";
import { REGION_NAMES } from "../rest/regions";

/** The program's name, as installed by the package's `bin`. */
export const PROGRAM = "trtc-room-callbacks";

/** What each exit code means; the same list ends every help text. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

const EXIT_CODES = `Exit codes:
  0  every answer was HTTP 200 with ActionStatus OK
  1  an answer was FAIL, another HTTP status, or not an ack
  2  wrong usage (unknown command or option, missing or bad value)
  3  the URL could not be reached, or did not answer in time`;

const TARGET_OPTIONS = `  --url <url>           the callback URL, such as http://127.0.0.1:3000/trtc (required)
  --sdk-app-id <id>     the SdkAppid to send (required)
  --token <token>       sign with this callback authentication token (adds Sign and RequestTime);
                        without --token, TRTC_CALLBACK_TOKEN is used when set, which keeps the
                        token out of the shell's history and of ps: export TRTC_CALLBACK_TOKEN=...
  --timeout <ms>        how long to wait for each answer (default 10000)
  --string-ids          send 18-digit user IDs as JSON strings; by default they are bare JSON
                        numbers, as Tencent sends them, so a receiver that rounds them shows`;

export const MAIN_HELP = `Usage: ${PROGRAM} <command> [options]

Sends Tencent Cloud Conference (TRTC Room) callbacks to a URL the way Tencent does, and
checks the acknowledgements.

Commands:
  send <callback>   send one realistic callback and print the HTTP status and the ack
  simulate          play a whole meeting, printing each callback with its ack
  config <action>   set, get, delete or check the callback URL on Tencent's side (REST API)
  queue <action>    stats, failed or retry: the durable-delivery queue in Redis (needs bullmq)
  help [command]    show this help, or a command's

Run "${PROGRAM} <command> --help" for a command's options.

${EXIT_CODES}
`;

export const SEND_HELP = `Usage: ${PROGRAM} send <callback> --url <url> --sdk-app-id <id> [options]

Sends one callback built from Tencent's documented sample for <callback>, with EventTime set
to now, signed when --token (or TRTC_CALLBACK_TOKEN) is given. Prints the request, the HTTP
status and the ack.

<callback> is one of:
${COMMAND_NAMES.map((name) => `  ${name}`).join("\n")}

Options:
${TARGET_OPTIONS}
  --set <field=value>   change a field of the event; repeat for more. Dots reach inside objects
                        and arrays: RoomInfo.RoomName=Standup, SeatList.0.Member_Account=alice.
                        The field must be in the event (a misspelt one is an error that names
                        the closest, and nothing is sent). The value keeps the field's type:
                        text for a text field, a list for a list (alice,bob or ["alice","bob"]),
                        otherwise JSON when it parses (42, true, null), else text
  --add <field=value>   add a field that is not in the event, such as RoomInfo.CoverURL=c.png;
                        repeatable, applied before --set. The value is JSON when it parses
  --file <event.json>   send this JSON body instead of the sample, byte for byte unless --set,
                        --add or --string-ids is given (numbers then stay as written, bare
                        18-digit IDs included); <callback> may be left out to use the file's
                        CallbackCommand
  -h, --help            show this help

Examples:
  ${PROGRAM} send Room.CallbackAfterMemberEnter --url http://127.0.0.1:3000/trtc --sdk-app-id 1400000001 \\
    --set RoomId=demo --set MemberList_Account=alice,bob
  ${PROGRAM} send --file event.json --url https://example.com/trtc --sdk-app-id 1400000001

${EXIT_CODES}
`;

export const SIMULATE_HELP = `Usage: ${PROGRAM} simulate --url <url> --sdk-app-id <id> [options]

Plays a whole meeting: the room is created, the members enter, take seats, one leaves a
seat, that seat is locked, the last member is kicked, the room is updated and destroyed.
The second member's user ID is 144115233775727695, the 18-digit ID of Tencent's seat sample,
sent as a bare JSON number as Tencent does (see --string-ids). Signed when --token (or
TRTC_CALLBACK_TOKEN) is given. Prints each callback with its ack; stops at the first that
cannot be delivered.

Options:
${TARGET_OPTIONS}
  --members <n>         how many members enter, 2 to 100 (default 4)
  --seats <n>           how many seats the room has, 1 to 100 (default 3)
  --room-id <id>        the room's ID (default sim-<current time>)
  --keep-room           end without destroying the room, to look at its state afterwards
  -h, --help            show this help

Example:
  ${PROGRAM} simulate --url http://127.0.0.1:3000/trtc --sdk-app-id 1400000001 --members 6 --seats 4

${EXIT_CODES}
`;

export const CONFIG_HELP = `Usage: ${PROGRAM} config <set|get|delete|check> --sdk-app-id <id> [options]

Reads and writes the app's Room callback configuration on Tencent's side (REST API
v4/room_config), signed with a UserSig made from the secret key in TRTC_SECRET_KEY:
  export TRTC_SECRET_KEY=...   (from Tencent's console; never on the command line)

Actions:
  set      point Tencent at --url, for all six commands or --commands; creates the
           configuration, or updates it when one exists (safe on every deploy)
  get      print the configured URL and commands
  delete   remove the configuration: Tencent stops sending callbacks
  check    read the configured URL and send it one signed sample per configured command,
           printing each ack (signed with TRTC_CALLBACK_TOKEN, or --token, when set)

Options:
  --sdk-app-id <id>     your app's SDKAppID (required)
  --region <region>     the app's data centre: ${REGION_NAMES.map((name) => (name === "china" ? "china (default)" : name)).join(", ")}
  --endpoint <url>      a base URL replacing the region's host (a private gateway, a test server)
  --identifier <id>     the admin account the requests are made as (default administrator)
  --timeout <ms>        how long to wait for each answer (default 10000)
  --url <url>           set: where Tencent should send callbacks, https:// recommended
  --commands <a,b,...>  set: only these commands (default all six)
  --dry-run             set, get, delete: print the request instead of sending it (UserSig redacted)
  --token <token>       check: the callback authentication token (prefer TRTC_CALLBACK_TOKEN)
  -h, --help            show this help

Examples:
  ${PROGRAM} config set --sdk-app-id 1400000001 --url https://your.host/trtc --region singapore
  ${PROGRAM} config check --sdk-app-id 1400000001 --region singapore

Exit codes:
  0  done (check: every callback was acknowledged with HTTP 200 and ActionStatus OK)
  1  Tencent said no (its code, message and what to do are printed), or a checked callback was not acknowledged
  2  wrong usage (unknown action or option, missing or bad value, TRTC_SECRET_KEY not set)
  3  Tencent's REST API or the callback URL could not be reached, or did not answer in time
`;

export const QUEUE_HELP = `Usage: ${PROGRAM} queue <stats|failed|retry> --redis <url> --queue <name> [options]

Looks at the BullMQ queue that enqueueCallbacks fills (trtc-room-callbacks/bullmq), and replays
failed jobs once their handler is fixed. Needs the bullmq package (npm install bullmq).

Actions:
  stats    the number of jobs in each state: waiting, active, delayed, prioritized,
           waiting-children, completed, failed
  failed   the failed jobs: id, command, room, attempts made and the last error
  retry    move a failed job (--job <id>) or every failed job (--all) back to waiting;
           its attempts count from 1 again

Options:
  --redis <url>         redis://[user:password@]host:port[/db], or rediss:// (required)
  --queue <name>        the queue's name, such as trtc-callbacks (required)
  --prefix <prefix>     the queue's key prefix, when it is not BullMQ's default (bull)
  --job <id>            retry: this job
  --all                 retry: every failed job
  --limit <n>           failed: list at most this many (default 100)
  --timeout <ms>        how long to wait for Redis (default 5000)
  -h, --help            show this help

Examples:
  ${PROGRAM} queue stats --redis redis://127.0.0.1:6379 --queue trtc-callbacks
  ${PROGRAM} queue retry --redis redis://127.0.0.1:6379 --queue trtc-callbacks --all

Exit codes:
  0  done
  1  the job is not there or not failed, or bullmq is not installed
  2  wrong usage (unknown action or option, missing or bad value)
  3  Redis could not be reached, or did not answer in time
`;
