import { createExampleApp } from "./app";
import { startupMessage } from "./banner";
import { readConfig, type ExampleConfig } from "./config";

let config: ExampleConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const app = createExampleApp({ sdkAppId: config.sdkAppId, token: config.token, log: console.log });
const server = app.listen(config.port, config.host, () => {
  const address = server.address();
  console.log(startupMessage(config, typeof address === "object" && address ? address.port : config.port));
});
server.on("error", (error) => {
  console.error(`Cannot listen on ${config.host}:${config.port}: ${error.message} (set PORT or HOST)`);
  process.exit(1);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
