import type express from "express";
import { Agent, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** An app served on an ephemeral port of 127.0.0.1. */
export interface Served {
  readonly port: number;
  readonly server: Server;
  /** Stops the server and drops every connection. */
  close(): Promise<void>;
}

export function serve(app: express.Express): Promise<Served> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A parsed HTTP response. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One HTTP request through node:http, with any headers and raw bytes as the body. */
export function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
    agent?: Agent | false;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? "";
    const headers = { "Content-Length": Buffer.byteLength(body), ...options.headers };
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: options.path,
        method: options.method ?? "POST",
        headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** What a raw socket received before the server closed it (or the wait ended). */
export interface SocketResult {
  /** Everything received, as text. */
  received: string;
  /** Whether the server ended the connection. */
  closedByServer: boolean;
}

/**
 * Opens a TCP connection, writes `head` (request line, headers and part of a
 * body) and then stays silent, collecting what comes back until the server
 * closes the connection or `waitMs` passes.
 */
export function stall(port: number, head: string, waitMs: number): Promise<SocketResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedByServer: false });
    }, waitMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closedByServer: true });
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(head);
  });
}

/** Opens a TCP connection and writes `head`; the caller destroys it. */
export function openAndWrite(port: number, head: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head, () => resolve(socket)));
    socket.on("error", reject);
  });
}

/** Splits a raw HTTP/1.1 response into status, headers and body. */
export function parseRaw(received: string): RawResponse {
  const end = received.indexOf("\r\n\r\n");
  const lines = received.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const headers: IncomingHttpHeaders = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, text: received.slice(end + 4) };
}

/** The request head for a POST to `path`, with the given headers, ready for a partial body. */
export function requestHead(path: string, headers: Record<string, string | number>): string {
  const lines = [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Checks a response is a well-formed acknowledgement and returns it. */
export function ackOf(res: RawResponse): { ActionStatus: string; ErrorCode: number; ErrorInfo: string } {
  if (!/^application\/json/.test(String(res.headers["content-type"]))) {
    throw new Error(`not JSON: ${String(res.headers["content-type"])}`);
  }
  const ack = JSON.parse(res.text) as Record<string, unknown>;
  const keys = Object.keys(ack).sort().join(",");
  if (keys !== "ActionStatus,ErrorCode,ErrorInfo") throw new Error(`not an ack: ${res.text.slice(0, 200)}`);
  return ack as { ActionStatus: string; ErrorCode: number; ErrorInfo: string };
}
