#Requires -Version 7.0
<#
    The Exchange Online half of `npm run preflight`: reads, changing nothing, the module, the sign-in, the
    organisation-wide SMTP AUTH switch and the configured mailboxes (Get-ExchangeReadiness), and prints them as one
    line of JSON on stdout. The sign-in's report goes to stderr.

    Exit code: 0 read; 1 it could not read (the reason is the last line on stderr).
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess/ExchangeMailAccess.psd1') -Force

try {
    $readiness = Get-ExchangeReadiness
}
catch {
    [Console]::Error.WriteLine("error: $($_.Exception.Message)")
    exit 1
}
[Console]::Out.WriteLine(($readiness | ConvertTo-Json -Depth 5 -Compress))
