#Requires -Version 7.0
<#
    delete step of the Exchange command resource (destroy, or the command leaving the stack).

    Revokes every grant the record lists, puts back every setting the stack changed, and removes the app's service
    principal registration from Exchange Online. Pulumi runs it before Entra ID deletes the app, because the
    command depends on the service principal. Without a record (the first run failed before it printed one), it
    revokes what that run's environment asked for: grants to the stack's own app are the stack's.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Plain text: the report is read in Pulumi's output and CI logs, not a colour terminal.
$PSStyle.OutputRendering = 'PlainText'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess/ExchangeMailAccess.psd1') -Force

try {
    Invoke-ExchangeStep -Step Remove
}
catch {
    # Already reported by Invoke-ExchangeStep; the exit code fails the delete, and the resource stays in the state.
    exit 1
}

Write-ReportSummary "Exchange Online: $(Get-ChangeCount) change(s) made to remove the stack's access."
