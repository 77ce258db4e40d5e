#!/usr/bin/env bash
# Run nginx with the shipped configuration (scripts/nginx/) in front of a gunicorn on loopback:
# an instance of its own, on an unprivileged port, in a prefix of its own. It never touches the
# system's nginx, its configuration or its logs.
#
#   UPSTREAM=127.0.0.1:8000 LISTEN=127.0.0.1:8080 scripts/nginx_local.sh
#
# Environment (defaults in brackets):
#   UPSTREAM      gunicorn's address [127.0.0.1:8000]
#   LISTEN        where nginx listens [127.0.0.1:8080]
#   NGINX_BIN     the nginx binary [nginx on PATH, else /usr/sbin/nginx]
#   NGINX_PREFIX  directory for the rendered configuration, logs and temporary files [new temp dir]
#
# Checks the configuration (nginx -t), prints "ready http://LISTEN (prefix DIR)" and runs nginx in
# the foreground until interrupted. Logs: DIR/logs/access.log (no paths) and DIR/logs/error.log.
# Exit status 3 when nginx is not installed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
# nginx reads NGINX itself (sockets handed over during a binary upgrade): never pass one on.
unset NGINX
if [ ! -x "$NGINX_BIN" ]; then
  echo "nginx_local.sh: nginx is not installed (apt-get install -y nginx)" >&2
  exit 3
fi
UPSTREAM=${UPSTREAM:-127.0.0.1:8000}
LISTEN=${LISTEN:-127.0.0.1:8080}
PREFIX=${NGINX_PREFIX:-$(mktemp -d -t kwt-nginx.XXXXXX)}
mkdir -p "$PREFIX/logs" "$PREFIX/temp"
# Started as root, nginx's workers run as an unprivileged user: they must reach the temp dirs.
chmod 755 "$PREFIX" "$PREFIX/temp"

# The shipped http part with the upstream pointed at this gunicorn; nothing else changes.
sed "s|server 127.0.0.1:8000;|server $UPSTREAM;|" scripts/nginx/kaowutong-http.conf \
  >"$PREFIX/kaowutong-http.conf"
grep -q "server $UPSTREAM;" "$PREFIX/kaowutong-http.conf"

cat >"$PREFIX/nginx.conf" <<CONF
worker_processes 1;
pid $PREFIX/nginx.pid;
error_log $PREFIX/logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $PREFIX/temp/client_body;
    proxy_temp_path $PREFIX/temp/proxy;
    fastcgi_temp_path $PREFIX/temp/fastcgi;
    uwsgi_temp_path $PREFIX/temp/uwsgi;
    scgi_temp_path $PREFIX/temp/scgi;
    include $PREFIX/kaowutong-http.conf;
    server {
        listen $LISTEN default_server;
        server_name _;
        access_log $PREFIX/logs/access.log kaowutong;
        include $ROOT/scripts/nginx/kaowutong-locations.conf;
    }
}
CONF

"$NGINX_BIN" -q -t -e "$PREFIX/logs/error.log" -p "$PREFIX" -c "$PREFIX/nginx.conf"
echo "ready http://$LISTEN (prefix $PREFIX)"
exec "$NGINX_BIN" -e "$PREFIX/logs/error.log" -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;'
