#!/usr/bin/env bash
# Builds the pod image with podman (../shared/tools/container-smoke.sh), runs it, and checks
# through the published port what a user of `docker run` relies on: healthy; register, login,
# read the profile; SIGTERM → exit 0 within 10 s with in-flight requests completed; restarted on
# the same volume → the same account still logs in.   usage: docker/smoke-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=${CONTAINER_SMOKE:-../shared/tools/container-smoke.sh}
[ -x "$smoke" ] || smoke=$(realpath ../shared/tools/container-smoke.sh)
W=${PODMAN_STATE:-/var/tmp/core-pod-podman}
export CONTAINERS_STORAGE_CONF=$W/conf/storage.conf CONTAINERS_CONF=$W/conf/containers.conf TMPDIR=$W/tmp
port=${SMOKE_PORT:-28080}
tag=localhost/core-pod:smoke
work=$(mktemp -d /tmp/core-pod-smoke.XXXXXX)
cid=''
# Every container of this image tag is ours: also those a failed earlier run left behind (the tool
# keeps the container with -k even when it never turns healthy), which would hold the ports.
remove_containers() { podman ps -aq --filter "ancestor=$tag" 2>/dev/null | xargs -r podman rm -f -t 1 >/dev/null 2>&1 || true; }
cleanup() { remove_containers; rm -rf "$work"; }
trap cleanup EXIT
remove_containers

# Production mode needs a signing key and an internal token: make throwaway ones.
mkdir -p "$work/secrets" "$work/data"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$work/secrets/jwt.pem"
head -c 32 /dev/urandom | base64 | tr -d '\n' > "$work/secrets/internal-token"
chmod 644 "$work/secrets/"*
chown -R 1000:1000 "$work/data"

# Host networking (the tool's choice): keep the internal ports off the defaults.
env_args=(-e AUTH_BCRYPT_COST=10 -e PROXY_PORT=$port -e AUTH_PORT=23001 -e USERS_PORT=23002 -e HEALTH_PORT=23003 -e PROXY_ADMIN_PORT=23004
          -e AUTH_JWT_PRIVATE_KEY_FILE=/run/secrets/jwt.pem -e POD_INTERNAL_TOKEN_FILE=/run/secrets/internal-token)
# Not `tee /dev/stderr`: when stderr is a file, tee reopens it and truncates everything before.
NODE_MAJOR=${NODE_MAJOR:-22} bash "$smoke" -k -f docker/Dockerfile -t "$tag" -p "$port" "${env_args[@]}" \
  -v "$work/secrets:/run/secrets:ro" -v "$work/data:/data" . > "$work/smoke.out" \
  || { cat "$work/smoke.out" >&2; exit 1; }
out=$(cat "$work/smoke.out"); echo "$out" >&2
cid=$(echo "$out" | sed -n 's/^container \([0-9a-f]*\) left running$/\1/p')
[ -n "$cid" ] || { echo "smoke: no container id" >&2; exit 1; }
podman image ls --format 'image size: {{.Size}}' "$tag"

base=http://127.0.0.1:$port
json() { curl -sS --max-time 10 -H 'content-type: application/json' "$@"; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined){console.error("missing "+process.argv[1]+" in "+s);process.exit(1)}console.log(v)})' "$1"; }
creds='{"email":"smoke@example.com","password":"a long smoke password"}'

echo "== register, login, profile"
json -XPOST "$base/api/v1/auth/register" -d "$creds" | field user >/dev/null
token=$(json -XPOST "$base/api/v1/auth/login" -d "$creds" | field accessToken)
curl -sS --max-time 10 "$base/api/v1/users/me" -H "authorization: Bearer $token" | field email

echo "== SIGTERM with requests in flight"
for i in 1 2 3 4; do
  (json -o "$work/inflight-$i.json" -w '%{http_code}\n' -XPOST "$base/api/v1/auth/login" -d "$creds" > "$work/inflight-$i.code" 2>/dev/null || echo fail > "$work/inflight-$i.code") &
done
sleep 0.05
t0=$(date +%s%N)
podman kill --signal TERM "$cid" >/dev/null
podman wait "$cid" >/dev/null
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait
code=$(podman inspect -f '{{.State.ExitCode}}' "$cid")
echo "exit code $code after ${elapsed_ms} ms; in-flight answers: $(cat "$work"/inflight-*.code | tr '\n' ' ')"
[ "$code" = 0 ] || { podman logs --tail 40 "$cid"; exit 1; }
[ "$elapsed_ms" -lt 10000 ] || { echo "smoke: stop took ${elapsed_ms} ms"; exit 1; }
for f in "$work"/inflight-*.code; do [ "$(cat "$f")" = 200 ] || { echo "smoke: an in-flight login got $(cat "$f")"; exit 1; }; done

echo "== restart on the same volume"
podman start "$cid" >/dev/null
for _ in $(seq 60); do podman healthcheck run "$cid" >/dev/null 2>&1 && break; sleep 1; done
podman healthcheck run "$cid" >/dev/null 2>&1 || { podman logs --tail 40 "$cid"; exit 1; }
json -XPOST "$base/api/v1/auth/login" -d "$creds" | field accessToken >/dev/null
echo "smoke: passed"
