import type { Server } from "node:http";
import { createExampleApp } from "./app";
import { startupMessage } from "./banner";
import { readConfig } from "./config";

/**
 * Starts the example app as configured by `env`, printing the start-up
 * message once it listens and one line per callback. Throws when the
 * configuration is wrong; listening errors are emitted by the server.
 */
export function start(
  env: Record<string, string | undefined> = process.env,
  print: (line: string) => void = console.log,
): Server {
  const config = readConfig(env);
  const app = createExampleApp({ sdkAppId: config.sdkAppId, token: config.token, log: print });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    print(startupMessage(config, typeof address === "object" && address ? address.port : config.port));
  });
  return server;
}

if (require.main === module) {
  let server: Server;
  try {
    server = start();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  server.on("error", (error) => {
    console.error(`Cannot listen: ${error.message} (set PORT or HOST)`);
    process.exit(1);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => server.close(() => process.exit(0)));
  }
}
