import { createCallbackFetchHandler } from "../../lib/fetch";
import { conformanceOptions, type Records } from "./behaviour";

/**
 * The conformance app as one fetch handler, for Deno, Bun and workerd (bundled
 * by esbuild): `GET /__records` hands over and clears what was recorded,
 * every other request goes to the callback handler.
 */
const records: Records = { calls: [], errors: [] };
const handler = createCallbackFetchHandler(conformanceOptions<Request>((r) => r instanceof Request, records));

export default {
  fetch(request: Request): Promise<Response> | Response {
    if (new URL(request.url).pathname === "/__records") {
      const body = JSON.stringify(records);
      records.calls = [];
      records.errors = [];
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    }
    return handler(request);
  },
};
