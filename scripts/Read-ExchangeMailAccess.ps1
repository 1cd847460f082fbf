#Requires -Version 7.0
<#
    The Exchange Online reading of npm run adopt (M365_EXO_READING AppSetup: what Exchange holds for one app) and of
    npm run preflight (Readiness): prints it as one JSON document on stdout (the report on stderr). Changes nothing.
    Every value comes from the environment (see Invoke-ExchangeReading's help). Exit code 1: the sign-in or a read
    failed (reported on stderr).
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess/ExchangeMailAccess.psd1') -Force

try {
    $reading = Invoke-ExchangeReading
}
catch {
    exit 1
}
[Console]::Out.WriteLine(($reading | ConvertTo-Json -Depth 8 -Compress))
