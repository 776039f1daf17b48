#!/usr/bin/env bash
# Packages lowpower exactly as `npm run package` does (osls package --stage ci --region eu-central-1)
# and proves it needs neither AWS credentials nor the network: AWS variables are dropped, and where
# the machine allows it (root, or unprivileged user namespaces) the run happens in a fresh network
# namespace with no interface but a down loopback. Output: .serverless/ (template + one zip per function).
set -euo pipefail
cd "$(dirname "$0")/.."

clean_env=(env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY
  -u AWS_SESSION_TOKEN -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE
  AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null)
cmd=(node node_modules/osls/bin/serverless.js package --stage ci --region eu-central-1)

if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  echo "== osls package in a network namespace without network (root)"
  exec "${clean_env[@]}" unshare -n "${cmd[@]}"
elif command -v unshare >/dev/null 2>&1 && unshare -rn true 2>/dev/null; then
  echo "== osls package in a user + network namespace without network"
  exec "${clean_env[@]}" unshare -rn "${cmd[@]}"
else
  echo "== osls package (no namespaces here: network not cut, AWS credentials still dropped)"
  exec "${clean_env[@]}" "${cmd[@]}"
fi
