#!/usr/bin/env bash
# PowerShell 7 and Pester 5 for the Exchange tests, into the project's .tools/ (git ignores it), in two of the ways
# Microsoft documents for Linux (https://learn.microsoft.com/powershell/scripting/install/install-other-linux).
# `npm run setup:pwsh [-- BUNDLE]` and .ci/run call it; it does nothing when that pwsh already runs.
# Where PowerShell comes from, first that applies:
#   1. a self-contained bundle, PowerShell with its own .NET runtime: Microsoft's binary archive
#      (powershell-<version>-linux-x64.tar.gz from github.com/PowerShell/PowerShell/releases) or a .tar.xz holding
#      a bin/pwsh, given as the argument or in M365_PWSH_BUNDLE, or the one CI keeps beside the clone (below);
#   2. `dotnet tool install PowerShell` (the .NET global tool) where the .NET SDK is installed.
# Pester 5.7.1 for the PowerShell unit tests comes from a Pester-5.7.1.tar.gz beside such a bundle, or from the
# PowerShell Gallery (Install-Module) where the machine reaches it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=7.6.9
pester=5.7.1
tools=$PWD/.tools
bundle=${1:-${M365_PWSH_BUNDLE:-}}
if [ -z "$bundle" ]; then
    bundle=$(ls ../shared/tools/pwsh-"$version"-linux-x64.tar.xz 2>/dev/null | head -n 1 || true)
fi

runs() { [ -x "$1" ] && "$1" -NoProfile -NonInteractive -Command 'exit 0' >/dev/null 2>&1; }

if ! runs "$tools/pwsh/pwsh"; then
    rm -rf "$tools/pwsh" "$tools/pwsh-bundle"
    if [ -n "$bundle" ]; then
        [ -f "$bundle" ] || { echo "install-pwsh: no such bundle: $bundle" >&2; exit 1; }
        mkdir -p "$tools/pwsh-bundle" "$tools/pwsh"
        tar -xf "$bundle" -C "$tools/pwsh-bundle"
        # Microsoft's archive has pwsh at its top; a NuGet-style bundle under bin/.
        found=$(find "$tools/pwsh-bundle" \( -path '*/bin/pwsh' -o -path "$tools/pwsh-bundle/pwsh" \) -type f | head -n 1)
        [ -n "$found" ] || { echo "install-pwsh: $bundle holds no pwsh (expected at its top or in bin/)" >&2; exit 1; }
        chmod +x "$found"
        ln -s "$found" "$tools/pwsh/pwsh"
    elif command -v dotnet >/dev/null 2>&1; then
        dotnet tool install PowerShell --version "$version" --tool-path "$tools/pwsh"
    else
        echo "install-pwsh: no PowerShell bundle (name Microsoft's powershell-$version-linux-x64.tar.gz as the argument" \
            "or in M365_PWSH_BUNDLE) and no .NET SDK to install PowerShell $version as a .NET tool; or install" \
            "PowerShell 7 as Microsoft documents for Linux: https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux" >&2
        exit 1
    fi
fi
"$tools/pwsh/pwsh" -NoProfile -NonInteractive -Command '"PowerShell " + $PSVersionTable.PSVersion.ToString()'

# Pester, as a module folder under .tools/modules (the tests put it on PSModulePath).
if [ ! -f "$tools/modules/Pester/$pester/Pester.psd1" ]; then
    archive=""
    [ -n "$bundle" ] && archive=$(ls "$(dirname "$bundle")/Pester-$pester.tar.gz" 2>/dev/null || true)
    mkdir -p "$tools/modules"
    if [ -n "$archive" ]; then
        tar -xzf "$archive" -C "$tools/modules"
    else
        "$tools/pwsh/pwsh" -NoProfile -NonInteractive -Command \
            "Save-Module Pester -RequiredVersion $pester -Path '$tools/modules' -Repository PSGallery -ErrorAction Stop"
    fi
fi
echo "Pester $pester in .tools/modules"
