import type { Ack } from "../protocol/ack";
import { callbackQuery } from "../testing/callback-query";
import type { Target } from "./args";

/** An answer to one callback. */
export interface Answer {
  /** The URL posted to, query included. */
  url: string;
  status: number;
  /** The response body as received. */
  text: string;
  /** The body, when it is an acknowledgement. */
  ack: Ack | undefined;
  /** HTTP 200 with `ActionStatus` OK: what Tencent counts as delivered. */
  ok: boolean;
  elapsedMs: number;
}

/** The URL could not be reached, or did not answer in time. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** The URL with the query Tencent adds for `command`: signed when the target has a token. */
export function callbackUrl(target: Target, command: string): URL {
  const url = new URL(target.url);
  const query = callbackQuery({ sdkAppId: target.sdkAppId, command, token: target.token });
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

/** POSTs one callback body to `url` (from {@link callbackUrl}) and reads the answer. */
export async function deliver(url: URL, body: string, target: Target): Promise<Answer> {
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new UnreachableError(`cannot reach ${target.url.href}: ${reason(error, target.timeoutMs)}`);
  }
  const ack = parseAck(text);
  return {
    url: url.href,
    status: response.status,
    text,
    ack,
    ok: response.status === 200 && ack?.ActionStatus === "OK",
    elapsedMs: Math.round(performance.now() - started),
  };
}

function parseAck(text: string): Ack | undefined {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof Ack, unknown>> | null;
    if (
      value !== null &&
      (value.ActionStatus === "OK" || value.ActionStatus === "FAIL") &&
      typeof value.ErrorCode === "number" &&
      typeof value.ErrorInfo === "string"
    ) {
      return value as Ack;
    }
  } catch {
    // Not JSON: not an ack.
  }
  return undefined;
}

function reason(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (a test runner's), failing instanceof.
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (name === "TimeoutError" || name === "AbortError") return `no answer within ${timeoutMs} ms`;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return String(error);
}

/** One line describing an answer: status and ack, or what it was instead. */
export function describe(answer: Answer): string {
  if (answer.ack === undefined) {
    const excerpt = answer.text.length > 120 ? `${answer.text.slice(0, 120)}…` : answer.text;
    return `HTTP ${answer.status}, not an ack: ${JSON.stringify(excerpt)}`;
  }
  const { ActionStatus, ErrorCode, ErrorInfo } = answer.ack;
  const detail = ActionStatus === "OK" ? "OK" : `FAIL ${ErrorCode} ${JSON.stringify(ErrorInfo)}`;
  return `HTTP ${answer.status}, ${detail}`;
}
