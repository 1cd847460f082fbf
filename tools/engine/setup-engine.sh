#!/usr/bin/env bash
# npm run setup:engine: the real Pulumi engine for the end-to-end tests, built with the `go` command from the Go
# module proxy into .tools/pulumi/bin (git ignores .tools). Skipped when the version stamp matches what is there.
# The Go caches stay where `go env` puts them (GOMODCACHE, GOCACHE: outside the clone), so a second build is warm.
# See tools/engine/README.md for what is built, from which module, and why.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=$root/.tools/pulumi/bin
stampFile=$root/.tools/pulumi/stamp

command -v go >/dev/null 2>&1 || { echo "setup:engine: the go command (Go 1.25 or later) is needed to build the Pulumi CLI" >&2; exit 1; }
[ -d node_modules/@pulumi/pulumi ] || { echo "setup:engine: run npm ci first (the dynamic-provider plugin comes from @pulumi/pulumi)" >&2; exit 1; }

# The CLI must be the release of the SDK the program runs with (package-lock.json).
sdk=$(node -p 'require("./node_modules/@pulumi/pulumi/package.json").version')
cli=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2 }' tools/engine/cli/go.mod)
if [ "$sdk" != "$cli" ]; then
    echo "setup:engine: @pulumi/pulumi is $sdk but tools/engine/cli/go.mod builds the CLI at $cli: align them" >&2
    exit 1
fi

stamp="cli $cli $(cat tools/engine/cli/go.mod tools/engine/cli/go.sum tools/engine/cli/pulumi-language-nodejs/*.go | sha256sum | cut -c1-16) $(go env GOVERSION)"
if [ -f "$stampFile" ] && [ "$(cat "$stampFile")" = "$stamp" ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ]; then
    echo "setup:engine: .tools/pulumi/bin is up to date ($stamp)"
    exit 0
fi

mkdir -p "$bin"
rm -f "$stampFile"
start=$(date +%s)
echo "setup:engine: building pulumi $cli and the project's Node.js language host (a cold build takes minutes)"
(
    cd tools/engine/cli
    go build -trimpath -tags osusergo,grpcnotrace \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$cli" \
        -o "$bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./pulumi-language-nodejs
)
# The dynamic-provider plugin ships in @pulumi/pulumi: the engine finds bundled plugins next to `pulumi`.
ln -sf "$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
echo "$stamp" >"$stampFile"
"$bin/pulumi" version
echo "setup:engine: built in $(($(date +%s) - start)) s into .tools/pulumi/bin"
