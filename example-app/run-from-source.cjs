// Runs the example app (or the cluster script) from the TypeScript sources, package included,
// without a build: `node --require ./example-app/run-from-source.cjs example-app/server.ts`.
// The tests start instances this way; `npm start` and `npm run cluster` run the built files.
const { join } = require("node:path");
const Module = require("node:module");

require("../__tests__/helpers/ts-require.cjs");

const root = join(__dirname, "..");
const resolve = Module._resolveFilename;
// The package by name, as the app imports it, from lib/ (the same mapping as jest's and tsconfig's).
Module._resolveFilename = function (request, parent, ...rest) {
  const match = /^trtc-room-callbacks(?:\/(testing|fetch|fastify|bullmq|room-state|rest|prometheus))?$/.exec(
    request,
  );
  if (match) return resolve.call(this, join(root, "lib", match[1] ?? "", "index.ts"), parent, ...rest);
  return resolve.call(this, request, parent, ...rest);
};
