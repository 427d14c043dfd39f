/**
 * Prometheus metrics for the callbacks a process receives, from the
 * package's `diagnostics_channel` traces. `prom-client` (^15) is an optional
 * peer dependency, needed only by this entry (`trtc-room-callbacks/prometheus`).
 */
export { registerMetrics, METRIC_NAMES } from "./register-metrics";
export { NO_COMMAND_LABEL, UNKNOWN_COMMAND_LABEL } from "./labels";
