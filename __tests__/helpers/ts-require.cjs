// A require hook that compiles .ts files with @swc/core, so a child process
// (a BullMQ worker a test kills) runs the package's TypeScript sources as
// they are, with no build step: `node --require ./ts-require.cjs script.cjs`.
const { transformSync } = require("@swc/core");
const fs = require("node:fs");
const Module = require("node:module");

const compile = (source, filename) =>
  transformSync(source, {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  }).code;

require.extensions[".ts"] = (module, filename) => {
  module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};

// Resolve "./x" to "./x.ts" as TypeScript does.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (error) {
    if (request.startsWith(".")) return resolve.call(this, `${request}.ts`, parent, ...rest);
    throw error;
  }
};
