import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { createCallbackHandle } from "../core/handle";
import { configure } from "../core/options";
import type { CallbackOptions } from "../core/types";
import { nodeSha256Hex } from "../protocol/sign";
import { readBody } from "./node/read-body";
import { nodeTracer } from "./node/trace";
import { writeOutcome } from "./node/write-outcome";

/** Options of the Fastify plugin: {@link CallbackOptions} with `context.request` a `FastifyRequest`. */
export type FastifyCallbackOptions = CallbackOptions<FastifyRequest>;

/** What `register` accepts beside the callback options and hands to the plugin. */
const REGISTER_OPTIONS = ["prefix", "logLevel", "logSerializers"];

/**
 * The Fastify 5 plugin that receives Tencent's Room callbacks at its prefix:
 * `await app.register(trtcRoomCallbacks, { prefix: "/trtc", ...options })`.
 * It answers every method there (405 with `Allow: POST` for all but POST)
 * and reads the body's raw bytes itself, so 18-digit IDs arrive exact and
 * `limit` and `timeoutMs` bound the read; its content-type parser stays
 * inside the plugin, so the app's other routes keep their parsers. Handlers
 * get the `FastifyRequest` as `context.request`. The answer is written on
 * `reply.raw` (the reply is hijacked), so `onSend` hooks do not run for it.
 *
 * Registration rejects with a `ConfigurationError` saying what to fix when
 * the options are wrong.
 *
 * @example
 * ```ts
 * await app.register(trtcRoomCallbacks, { prefix: "/trtc", sdkAppId: 1400000001, handlers });
 * ```
 */
export const trtcRoomCallbacks: FastifyPluginAsync<FastifyCallbackOptions> = async function trtcRoomCallbacks(
  app,
  options,
) {
  const config = configure(withoutRegisterOptions(options), REGISTER_OPTIONS);
  const handle = createCallbackHandle(config, {
    name: "fastify",
    sha256Hex: nodeSha256Hex,
    tracer: nodeTracer,
  });

  // Inside this plugin only: hand the raw stream through, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  app.all("/", (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const req = request.raw;
    void handle(
      {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        request,
        readBody: (deadline, limit) => readBody(req, deadline, limit),
      },
      (outcome) => writeOutcome(reply.raw, outcome),
    );
  });
};

/** The options without what `register` itself takes, so the handler configuration sees only its own. */
function withoutRegisterOptions(options: FastifyCallbackOptions): FastifyCallbackOptions {
  if (options === null || typeof options !== "object") return options;
  const own: Record<string, unknown> = { ...options };
  for (const name of REGISTER_OPTIONS) delete own[name];
  return own as unknown as FastifyCallbackOptions;
}
