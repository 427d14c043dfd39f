import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "example-app/dist/**", "coverage/**", "node_modules/**", "**/*.tgz"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["lib/**/*.ts"],
    rules: {
      "no-console": "error",
    },
  },
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
