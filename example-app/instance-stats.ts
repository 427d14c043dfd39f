import type { ApplyResult } from "trtc-room-callbacks/room-state";

/**
 * What this process did since it started, served at `/healthz`. Every count is this instance's
 * own, so adding them up over the instances gives the cluster's totals (an instance that is
 * killed takes its counts with it; one that restarts counts from 0).
 */
export interface InstanceStats {
  /** Callbacks this instance's router received: `accepted` (acked OK) and `failed` (rejected or acked FAIL). */
  callbacks: { accepted: number; failed: number };
  /**
   * Events this instance applied to the room state, by result: in memory mode as the router
   * receives them, in Redis mode in this instance's worker (one per job it ran).
   */
  events: Record<ApplyResult, number>;
}

/** Counts that start at 0. */
export function createInstanceStats(): InstanceStats {
  return { callbacks: { accepted: 0, failed: 0 }, events: { applied: 0, duplicate: 0, stale: 0 } };
}
