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

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess.psm1') -Force

try {
    & {
        $recorded = Read-RecordedState
        if ($null -eq $recorded) {
            Write-Report 'No recorded Exchange Online state: revoking what the configuration asked for.'
            $recorded = ConvertTo-RecordFromDesired -Desired (Read-DesiredState)
        }
        Import-ExchangeModule
        Connect-MailAccessExchange
        try {
            Invoke-MailAccessRemoval -Recorded $recorded
        }
        finally {
            Disconnect-MailAccessExchange
        }
    } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport
}
catch {
    # Nothing was changed, or delete: the provider keeps the previous record, and the next run starts from it.
    Write-ReportSummary "error: $($_.Exception.Message)"
    exit 1
}

Write-ReportSummary "Exchange Online: $(Get-ChangeCount) change(s) made to remove the stack's access."
