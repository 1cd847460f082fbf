#!/usr/bin/env bash
# PowerShell 7 for the Exchange tests, as a .NET tool from NuGet into the project's .tools/pwsh (needs the .NET SDK).
# npm run setup:pwsh and .ci/run call it; it does nothing when that pwsh already runs.
set -euo pipefail
cd "$(dirname "$0")/.."
version=7.6.9
if [ -x .tools/pwsh/pwsh ] && .tools/pwsh/pwsh -NoProfile -NonInteractive -Command 'exit 0' >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-pwsh: the .NET SDK (dotnet) is needed to install PowerShell $version as a .NET tool" >&2
    exit 1
fi
rm -rf .tools/pwsh
dotnet tool install PowerShell --version "$version" --tool-path .tools/pwsh
.tools/pwsh/pwsh -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()'
