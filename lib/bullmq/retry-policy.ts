/**
 * Retries belong to the worker: every job is added with this many attempts
 * and this backoff type, and the worker decides, with its own `attempts`
 * and `backoff`, when a failure is final (it then fails the job at once).
 * So changing the worker's policy applies to jobs already queued.
 */
export const JOB_ATTEMPTS_CEILING = 100;

/** The backoff type jobs are added with; the worker's `backoffStrategy` answers for it. */
export const BACKOFF_TYPE = "trtc-room-callbacks";

/** The default backoff: exponential from 1 s, capped at 5 min, ±20 % jitter. */
export const DEFAULT_BACKOFF = { delayMs: 1000, maxDelayMs: 300_000, jitter: 0.2 } as const;

/** How long to wait before retry number `attempt` (1 = the first retry), in ms. */
export type BackoffFunction = (attempt: number) => number;

/** Exponential backoff: `delayMs × 2^(attempt−1)`, capped at `maxDelayMs`, spread by ±`jitter`. */
export function exponentialBackoff(
  delayMs: number = DEFAULT_BACKOFF.delayMs,
  maxDelayMs: number = DEFAULT_BACKOFF.maxDelayMs,
  jitter: number = DEFAULT_BACKOFF.jitter,
): BackoffFunction {
  return (attempt) => {
    const base = Math.min(maxDelayMs, delayMs * 2 ** Math.max(0, attempt - 1));
    // Jitter spreads the retries of many jobs that failed together (a Redis or database blip).
    return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * Math.random())));
  };
}
