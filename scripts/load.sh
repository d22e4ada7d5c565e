#!/usr/bin/env bash
# Load test of the conversation pages with wrk (Debian package "wrk").
#
#   DASHBOARD_PASSWORD=… scripts/load.sh [base-url]
#
# Signs in (DASHBOARD_USER, default admin), then runs wrk against a cached
# audit view, a filtered list page and the list CSV export. SESSION_ID picks
# the session; by default the first one on the conversation list is used.
# DURATION (default 15s), THREADS (2) and CONNECTIONS (16) tune wrk.
set -euo pipefail
base="${1:-http://127.0.0.1:8080}"
user="${DASHBOARD_USER:-admin}"
pass="${DASHBOARD_PASSWORD:?set DASHBOARD_PASSWORD to the password of DASHBOARD_USER}"
duration="${DURATION:-15s}"
threads="${THREADS:-2}"
conns="${CONNECTIONS:-16}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT
# A same-origin form post, as the browser sends it.
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -H "Origin: $base" \
  --data-urlencode "username=$user" --data-urlencode "password=$pass" "$base/login")
[ "$code" = 303 ] || { echo "sign-in failed (HTTP $code)" >&2; exit 1; }
cookie=$(awk '$6 == "dashboard_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "no session cookie after sign-in" >&2; exit 1; }

session="${SESSION_ID:-}"
if [ -z "$session" ]; then
  session=$(curl -s -H "Cookie: $cookie" "$base/conversations?status=CLOSED&limit=1" |
    grep -o 'href="/sessions/[0-9a-f]\{24\}"' | head -n1 | grep -o '[0-9a-f]\{24\}' || true)
fi
[ -n "$session" ] || { echo "no session id: the index may still be syncing; set SESSION_ID" >&2; exit 1; }
# Warm the cache: the first view fetches from upstream.
curl -s -o /dev/null -H "Cookie: $cookie" "$base/sessions/$session"

run() {
  echo
  echo "== $1: $2"
  COOKIE="$cookie" LOAD_PATH="$2" wrk -t "$threads" -c "$conns" -d "$duration" --latency -s "$here/load.lua" "$base"
}
run "cached audit view" "/sessions/$session"
run "filtered list" "/conversations?status=CLOSED&channel=livechat&sort=wait"
run "search" "/conversations?text=refund"
run "CSV export" "/conversations/export.csv?status=CLOSED"
