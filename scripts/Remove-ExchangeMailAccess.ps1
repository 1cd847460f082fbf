#Requires -Version 7.0
<#
    delete step of the ExchangeMailboxAccess command resource (destroy, or a mailbox set leaving the stack).

    Revokes every grant the recorded state lists, puts back every setting the stack changed, and removes the
    app's service principal registration from Exchange Online. Pulumi runs it before Entra ID deletes the app,
    because the command depends on the service principal.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess.psm1') -Force

$previous = Read-PreviousState
if ($null -eq $previous) {
    Write-Report 'No recorded Exchange Online state: nothing to revoke.'
    exit 0
}
Assert-ExchangeModule
Connect-MailAccessExchange
try {
    [void] (Invoke-MailAccessSync -Desired $null -Previous $previous)
}
finally {
    Disconnect-MailAccessExchange
}
Write-Report "Exchange Online: $((Get-Changes).Count) change(s) undone."
