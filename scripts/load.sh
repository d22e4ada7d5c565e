#!/usr/bin/env bash
# Load test of the conversation pages with wrk (Debian package "wrk").
#
#   DASHBOARD_PASSWORD=… scripts/load.sh [base-url] [all|ratio]
#
# Signs in (DASHBOARD_USER, default admin), then runs wrk against a cached
# audit view, a filtered list page, a search and the list CSV export ("all",
# the default). "ratio" runs the cached audit view and the sign-in page
# (GET /login) back to back at the same load and prints the audit view's
# throughput as a fraction of the sign-in page's, with both p99s: every
# audit view writes an audit entry, the sign-in page writes nothing, so the
# ratio is what the audit write costs under concurrency.
#
# SESSION_ID picks the session; by default the first one on the conversation
# list is used. DURATION (default 15s), THREADS (2) and CONNECTIONS (16; 32
# for "ratio") tune wrk.
set -euo pipefail
base="${1:-http://127.0.0.1:8080}"
mode="${2:-all}"
user="${DASHBOARD_USER:-admin}"
pass="${DASHBOARD_PASSWORD:?set DASHBOARD_PASSWORD to the password of DASHBOARD_USER}"
duration="${DURATION:-15s}"
threads="${THREADS:-2}"
case "$mode" in
  all) conns="${CONNECTIONS:-16}" ;;
  ratio) conns="${CONNECTIONS:-32}" ;;
  *) echo "mode must be all or ratio" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

jar="$(mktemp)"
out="$(mktemp -d)"
trap 'rm -rf "$jar" "$out"' EXIT
# A same-origin form post, as the browser sends it.
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -H "Origin: $base" \
  --data-urlencode "username=$user" --data-urlencode "password=$pass" "$base/login")
[ "$code" = 303 ] || { echo "sign-in failed (HTTP $code)" >&2; exit 1; }
cookie=$(awk '$6 == "dashboard_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "no session cookie after sign-in" >&2; exit 1; }

session="${SESSION_ID:-}"
for _ in $(seq 1 30); do
  [ -n "$session" ] && break
  session=$(curl -s -H "Cookie: $cookie" "$base/conversations?status=CLOSED&limit=1" |
    grep -o 'href="/sessions/[0-9a-f]\{24\}"' | head -n1 | grep -o '[0-9a-f]\{24\}' || true)
  [ -n "$session" ] || sleep 1 # the index sync has not filled the list yet
done
[ -n "$session" ] || { echo "no session id: the index may still be syncing; set SESSION_ID" >&2; exit 1; }
# Warm the cache: the first view fetches from upstream.
curl -s -o /dev/null -H "Cookie: $cookie" "$base/sessions/$session"

# run NAME PATH [COOKIE]: one wrk run, its report kept in $out/NAME.
run() {
  echo
  echo "== $1: $2"
  COOKIE="${3-$cookie}" LOAD_PATH="$2" wrk -t "$threads" -c "$conns" -d "$duration" --latency -s "$here/load.lua" "$base" |
    tee "$out/$1"
}

# rps FILE and p99 FILE read wrk's report.
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }

if [ "$mode" = ratio ]; then
  run login "/login" ""
  run audit "/sessions/$session"
  echo
  awk -v a="$(rps "$out/audit")" -v l="$(rps "$out/login")" -v ap="$(p99 "$out/audit")" -v lp="$(p99 "$out/login")" -v c="$conns" 'BEGIN {
    printf "%d connections: audit view %.0f req/s (p99 %s), /login %.0f req/s (p99 %s), ratio %.2f\n", c, a, ap, l, lp, a / l
  }'
  exit 0
fi
run "cached audit view" "/sessions/$session"
run "filtered list" "/conversations?status=CLOSED&channel=livechat&sort=wait"
run "search" "/conversations?text=refund"
run "CSV export" "/conversations/export.csv?status=CLOSED"
