/*
 * The nginx site in front of the service (INFRASTRUCTURE.md's, made safer): port 80 redirects
 * to HTTPS except Let's Encrypt's HTTP challenges (so certbot renewals keep working); 443
 * terminates TLS 1.2/1.3 with strong ciphers, HSTS and security headers, and proxies to the
 * service on loopback with the X-Forwarded headers. `/postback` gets its own access log (the
 * trail of what Kite sent), `/health` none (monitors poll it), `/callback` without its query
 * string (it carries Kite's request token and our login state). Request rates are limited per
 * client address in three zones (login pages, postbacks, everything else), answering 429.
 * The redirect to HTTPS names the configured domain, never the client's Host header, and a
 * default server drops requests for any other name (444 on HTTP, no TLS handshake on HTTPS).
 * Written for Debian's nginx 1.22 (`listen … ssl http2`; the `http2` directive is 1.25+).
 */

export interface NginxSiteOptions {
  /** The public name, e.g. sensexbot.ddns.net. */
  domain: string;
  /** host:port of the service (loopback), e.g. 127.0.0.1:8001. */
  upstream: string;
  /** Folder of fullchain.pem and privkey.pem; default /etc/letsencrypt/live/<domain>. */
  certDir?: string;
  /** Where certbot's webroot challenges are served from; default /var/www/letsencrypt. */
  acmeRoot?: string;
  /** Folder of this site's logs; default /var/log/nginx/pivot (outside the distribution's rotation glob). */
  logDir?: string;
  /** Ports (tests use unprivileged ones); default 80 and 443. */
  httpPort?: number;
  httpsPort?: number;
  /** Also listen on IPv6; default true. */
  ipv6?: boolean;
  /** Only the port-80 part: to obtain the first certificate before the TLS part can load. */
  httpOnly?: boolean;
  /** Largest request body; default 64k (postbacks and login forms are small). */
  maxBody?: string;
  /** Requests a minute per client on the login pages; default 10 (burst 5). */
  loginPerMinute?: number;
  /** Requests a second per client on /postback; default 20 (burst 40). */
  postbackPerSecond?: number;
  /** Requests a second per client elsewhere; default 10 (burst 40). */
  generalPerSecond?: number;
}

/** A domain name nginx and certbot accept: letters, digits, hyphens, dots. */
export function isDomainName(text: string): boolean {
  return (
    text.length <= 253 &&
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(text) &&
    !text.includes("..")
  );
}

/** host:port with a loopback-safe host (IPv4, [IPv6] or a name) and a port. */
export function isUpstream(text: string): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(text);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

/** Mozilla's "intermediate" TLS 1.2 ciphers (forward secrecy, AEAD only); TLS 1.3's are fixed. */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/**
 * The headers the application sets on its own answers (security-headers.ts) that nginx sets
 * too: nginx's copy wins and the application's is hidden, so the browser sees each once.
 */
export const HEADERS_SET_BY_NGINX: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/**
 * The access log format of `/callback`: nginx's "combined" without the query string (the
 * request token and the login state) and without the referrer (which may hold them too).
 */
export const NO_QUERY_LOG_FORMAT = "pivot_no_query";

/** Renders the site file (for /etc/nginx/sites-available/<domain>). */
export function renderNginxSite(o: NginxSiteOptions): string {
  if (!isDomainName(o.domain)) throw new RangeError(`not a domain name: "${o.domain}"`);
  if (!isUpstream(o.upstream))
    throw new RangeError(`expected the upstream as host:port, found "${o.upstream}"`);
  const certDir = (o.certDir ?? `/etc/letsencrypt/live/${o.domain}`).replace(/\/+$/, "");
  const acmeRoot = o.acmeRoot ?? "/var/www/letsencrypt";
  const logDir = (o.logDir ?? "/var/log/nginx/pivot").replace(/\/+$/, "");
  const http = o.httpPort ?? 80;
  const https = o.httpsPort ?? 443;
  const v6 = o.ipv6 ?? true;
  const maxBody = o.maxBody ?? "64k";
  const httpsSuffix = https === 443 ? "" : `:${https}`;
  const listen = (port: number, extra: string) =>
    [`    listen ${port}${extra};`, ...(v6 ? [`    listen [::]:${port}${extra};`] : [])].join("\n");
  const noQueryFormat = `# /callback's query string holds Kite's request token and our login state: never logged.
log_format ${NO_QUERY_LOG_FORMAT} '$remote_addr - $remote_user [$time_local] "$request_method $uri $server_protocol" '
                          '$status $body_bytes_sent "-" "$http_user_agent"';
`;
  // Requests naming another host (scanners, a stale DNS name, a forged Host header) are
  // dropped without an answer: the site answers to its own name only.
  const refuseOtherNamesHttp = `server {
${listen(http, " default_server")}
    server_name _;
    server_tokens off;
    access_log ${logDir}/access.log ${NO_QUERY_LOG_FORMAT};
    error_log ${logDir}/error.log;
    return 444;
}
`;

  const head = `# ${o.domain}: the Pivot Trading System behind nginx.
# Rendered by \`pivot deploy nginx\`; render again rather than edit (the options are in the command).
# Install: /etc/nginx/sites-available/${o.domain}, symlinked from sites-enabled; then nginx -t && systemctl reload nginx.
`;

  const redirectServer = `server {
${listen(http, "")}
    server_name ${o.domain};
    server_tokens off;
    # Without query strings: a /callback typed with http:// would otherwise log its token.
    access_log ${logDir}/access.log ${NO_QUERY_LOG_FORMAT};
    error_log ${logDir}/error.log;

    # certbot --webroot puts its HTTP-01 challenges here: renewals need plain HTTP to work.
    location ^~ /.well-known/acme-challenge/ {
        root ${acmeRoot};
        default_type text/plain;
        try_files $uri =404;
    }

    location / {
        # The configured name, never the client's Host header (which the client chooses).
        return 301 https://${o.domain}${httpsSuffix}$request_uri;
    }
}
`;
  if (o.httpOnly) {
    return `${head}# HTTP-only bootstrap: serves the ACME challenge so that certbot can issue the first
# certificate. Render again without --http-only once /etc/letsencrypt/live/${o.domain} exists.

${noQueryFormat}
${refuseOtherNamesHttp}
${redirectServer}`;
  }

  const loginRate = o.loginPerMinute ?? 10;
  const postbackRate = o.postbackPerSecond ?? 20;
  const generalRate = o.generalPerSecond ?? 10;
  const proxy = "        proxy_pass http://pivot_app;";
  return `${head}
# Request rates per client address (zones are shared across sites: names are prefixed).
limit_req_zone $binary_remote_addr zone=pivot_login:10m rate=${loginRate}r/m;
limit_req_zone $binary_remote_addr zone=pivot_postback:10m rate=${postbackRate}r/s;
limit_req_zone $binary_remote_addr zone=pivot_general:10m rate=${generalRate}r/s;

${noQueryFormat}
upstream pivot_app {
    server ${o.upstream};
    keepalive 8;
}

${refuseOtherNamesHttp}
# HTTPS for another name (or none, SNI missing): the handshake is refused, no certificate shown.
server {
${listen(https, " ssl http2 default_server")}
    server_name _;
    server_tokens off;
    ssl_reject_handshake on;
    access_log ${logDir}/access.log ${NO_QUERY_LOG_FORMAT};
    error_log ${logDir}/error.log;
}

${redirectServer}
server {
${listen(https, " ssl http2")}
    server_name ${o.domain};
    server_tokens off;

    ssl_certificate ${certDir}/fullchain.pem;
    ssl_certificate_key ${certDir}/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${TLS12_CIPHERS};
    ssl_prefer_server_ciphers off;
    ssl_session_timeout 1d;
    ssl_session_cache shared:pivot_tls:10m;
    ssl_session_tickets off;

    # Headers for every answer, errors included ("always"). No location below adds headers of
    # its own: one add_header in a location would drop all of these there.
${Object.entries(HEADERS_SET_BY_NGINX)
  .map(([name, value]) => `    add_header ${name} "${value}" always;`)
  .join("\n")}
    # The application sends its own copies (security-headers.ts): one of each reaches the browser.
${Object.keys(HEADERS_SET_BY_NGINX)
  .map((name) => `    proxy_hide_header ${name};`)
  .join("\n")}
    proxy_hide_header X-Powered-By;

    client_max_body_size ${maxBody};
    limit_req_status 429;
    limit_req_log_level warn;

    access_log ${logDir}/access.log;
    error_log ${logDir}/error.log;

    # The client's address is what nginx saw, not what the client claims: X-Forwarded-For is
    # set, not appended to, so the application's per-address limits cannot be dodged.
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $host;
    proxy_connect_timeout 5s;
    # Server-sent events (the dashboard) stay open; the application sends a comment line well
    # within this and X-Accel-Buffering: no on the stream.
    proxy_read_timeout 120s;

    location = /health {
        access_log off;
${proxy}
    }

    # Kite's order updates: their own trail, and room for bursts of fills.
    location = /postback {
        access_log ${logDir}/postback_access.log;
        limit_req zone=pivot_postback burst=40 nodelay;
${proxy}
    }

    # Password and Kite login pages: few attempts a minute per address.
    location ~ ^/(auth/login|login)/?$ {
        limit_req zone=pivot_login burst=5 nodelay;
${proxy}
    }

    # Kite's redirect after login: its query string (request token, state) is never logged.
    # nginx's error lines quote the request line, query included (a refused burst, an
    # unreachable service): only critical ones are written for this location.
    location ~ ^/callback/?$ {
        access_log ${logDir}/access.log ${NO_QUERY_LOG_FORMAT};
        error_log ${logDir}/error.log crit;
        limit_req zone=pivot_login burst=5 nodelay;
${proxy}
    }

    location / {
        limit_req zone=pivot_general burst=40 nodelay;
${proxy}
    }
}
`;
}
