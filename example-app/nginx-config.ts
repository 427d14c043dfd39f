/** Where {@link nginxConfig}'s nginx listens, what it balances over, and its folder. */
export interface NginxLayout {
  /** The loopback port nginx listens on. */
  listen: number;
  /** The example app instances' loopback ports. */
  upstreams: readonly number[];
  /** A folder of nginx's own, for its logs and temporary files (passed as `-p`). */
  dir: string;
}

/**
 * An nginx configuration that balances callbacks and reads round robin over the example app's
 * instances on this machine. Run it in the foreground with
 * `nginx -p <dir> -e <dir>/error.log -c <dir>/nginx.conf -g "daemon off; pid <dir>/nginx.pid;"`.
 *
 * @example
 * ```ts
 * writeFileSync(join(dir, "nginx.conf"), nginxConfig({ listen: 8080, upstreams: [3001, 3002, 3003], dir }));
 * ```
 */
export function nginxConfig(layout: NginxLayout): string {
  if (layout.upstreams.length === 0) throw new Error("nginxConfig needs at least one upstream port");
  const { dir } = layout;
  const servers = layout.upstreams
    .map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`)
    .join("\n");
  return `# The example app's instances behind one address, round robin.
worker_processes 1;
error_log ${dir}/error.log warn;

events {
  worker_connections 1024;
}

http {
  access_log ${dir}/access.log;
  # Temporary files in nginx's own folder (Debian's defaults are under /var/lib/nginx).
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream trtc_example {
${servers}
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${layout.listen};
    # Tencent's callbacks are small; the package's router refuses more than 1 MiB anyway.
    client_max_body_size 1m;
    client_body_buffer_size 1m;

    location / {
      proxy_pass http://trtc_example;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # An instance that is down (connection refused) is skipped: the callback goes to the next one.
      # A callback already sent to an instance that then fails is not resent (POST is not idempotent),
      # so Tencent sees the failure, as it would without nginx.
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
      # Below Tencent's 2 s wait, above the router's 1.5 s deadline.
      proxy_read_timeout 1800ms;
    }
  }
}
`;
}
