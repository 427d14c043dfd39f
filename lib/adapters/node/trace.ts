import * as diagnosticsChannel from "node:diagnostics_channel";
import { createTracer, type Tracer } from "../../core/trace";

/**
 * The tracer of every Node transport (Express, `node:http`, Fastify, the
 * testing kit and the durable worker): the package's tracing channels on
 * `node:diagnostics_channel`, or `undefined` when this Node has no
 * `tracingChannel` (it is experimental in Node 20), in which case nothing is
 * published. Made once: every router shares the same channels.
 */
export const nodeTracer: Tracer | undefined = createTracer(diagnosticsChannel);
