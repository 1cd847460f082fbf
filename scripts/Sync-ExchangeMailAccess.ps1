#Requires -Version 7.0
<#
    create / update step of the ExchangeMailboxAccess command resource.

    Reads the desired access from the environment and what the previous run left from PULUMI_COMMAND_STDOUT,
    changes only what differs in Exchange Online (one connection for all mailboxes), prints the list of changes
    on stderr and the new recorded state on stdout.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess.psm1') -Force

$desired = Read-DesiredState
$previous = Read-PreviousState
Assert-ExchangeModule
Connect-MailAccessExchange
try {
    $state = Invoke-MailAccessSync -Desired $desired -Previous $previous
}
finally {
    Disconnect-MailAccessExchange
}
$changes = Get-Changes
if ($changes.Count -eq 0) {
    Write-Report 'Exchange Online already matches the configuration: nothing changed.'
}
else {
    Write-Report "Exchange Online: $($changes.Count) change(s) made."
}
Write-State -State $state
