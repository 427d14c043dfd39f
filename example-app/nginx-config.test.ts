import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nginxConfig } from "./nginx-config";

describe("nginxConfig", () => {
  const layout = { listen: 8080, upstreams: [3001, 3002, 3003], dir: "/tmp/trtc-cluster" };

  it("balances over every instance on this machine, listening on loopback, with everything in its folder", () => {
    const config = nginxConfig(layout);
    expect(config.match(/^\s*server 127\.0\.0\.1:\d+ .*;$/gm)).toEqual([
      "    server 127.0.0.1:3001 max_fails=1 fail_timeout=2s;",
      "    server 127.0.0.1:3002 max_fails=1 fail_timeout=2s;",
      "    server 127.0.0.1:3003 max_fails=1 fail_timeout=2s;",
    ]);
    expect(config).toContain("listen 127.0.0.1:8080;");
    // No directive the command line sets (-g "daemon off; pid …;"): nginx refuses duplicates.
    expect(config).not.toMatch(/^\s*(daemon|pid)\s/m);
    // Every path nginx writes is under its folder.
    for (const [, path] of config.matchAll(/^\s*\w+(?:_log|_path) (\/\S+)/gm)) {
      expect(path?.startsWith("/tmp/trtc-cluster/")).toBe(true);
    }
  });

  it("needs an instance", () => {
    expect(() => nginxConfig({ ...layout, upstreams: [] })).toThrow(
      "nginxConfig needs at least one upstream port",
    );
  });

  it("is what the README shows", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## The example app\n"));
    const block = /\n```nginx\n([\s\S]*?)\n```\n/.exec(section.slice(0, section.indexOf("\n## ", 1)));
    expect(`${block?.[1]}\n`).toBe(nginxConfig(layout));
  });
});
