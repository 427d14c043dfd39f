// Two projects run the same tests: one against Express 5, one against Express 4
// (installed as the alias `express4`), because their body handling differs.
const transform = { "^.+\\.ts$": ["@swc/jest"] };
const common = {
  testEnvironment: "node",
  // The example app imports the package by name, as users do; tests run it from source.
  moduleNameMapper: {
    "^trtc-room-callbacks$": "<rootDir>/lib/index.ts",
    "^trtc-room-callbacks/(testing|fetch|fastify|bullmq|room-state|rest|prometheus)$":
      "<rootDir>/lib/$1/index.ts",
  },
  transform,
  testMatch: ["<rootDir>/__tests__/**/*.test.ts", "<rootDir>/example-app/**/*.test.ts"],
};
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: "express5" },
    {
      ...common,
      displayName: "express4",
      // Only what touches Express; the unit and packaging tests need no second run.
      testMatch: [
        "<rootDir>/__tests__/router*.test.ts",
        "<rootDir>/__tests__/conformance/express.test.ts",
        "<rootDir>/example-app/**/*.test.ts",
      ],
      moduleNameMapper: { ...common.moduleNameMapper, "^express$": "express4" },
    },
  ],
};
