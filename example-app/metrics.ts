import type { RequestHandler } from "express";
import { Registry } from "prom-client";
import { registerMetrics } from "trtc-room-callbacks/prometheus";

/** The example app's Prometheus metrics. */
export interface ExampleMetrics {
  /** The registry `GET /metrics` serves: the package's metrics (`registerMetrics`). */
  readonly registry: Registry;
  /** Stops counting and removes the metrics (on shutdown, or at the end of a test). */
  close(): void;
}

/**
 * A registry with the package's metrics: every callback this process
 * receives is counted by command, status and ack, each handler call is timed,
 * and callbacks no handler saw are counted apart.
 */
export function createExampleMetrics(): ExampleMetrics {
  const registry = new Registry();
  const close = registerMetrics(registry);
  return { registry, close };
}

/** `GET /metrics`: the registry in Prometheus's text format, for a scraper. */
export function serveMetrics(registry: Registry): RequestHandler {
  return (_req, res, next) => {
    registry.metrics().then((text) => {
      res.type(registry.contentType).send(text);
    }, next);
  };
}
