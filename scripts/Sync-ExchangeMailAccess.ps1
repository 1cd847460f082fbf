#Requires -Version 7.0
<#
    create / update step of the Exchange command resource.

    Reads the desired access from the environment and the previous record from PULUMI_COMMAND_STDOUT, changes only
    what differs (one Exchange Online session for all mailboxes), reports on stderr and prints the new record as
    the one line on stdout.

    Exit code: non-zero only when nothing was changed (sign-in, module, tenant, service principal): the provider
    then keeps the previous record. Once a change is made the record is always printed, failures included, and the
    Pulumi program fails the deployment from the record's failures.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Plain text: the report is read in Pulumi's output and CI logs, not a colour terminal.
$PSStyle.OutputRendering = 'PlainText'

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ExchangeMailAccess/ExchangeMailAccess.psd1') -Force

try {
    $record = Invoke-ExchangeStep -Step Sync
}
catch {
    # Already reported by Invoke-ExchangeStep; the exit code tells the provider nothing was changed.
    exit 1
}

$failures = @($record.failures)
$summary = "Exchange Online: $(Get-ChangeCount) change(s) made"
if ((Get-ChangeCount) -eq 0 -and $failures.Count -eq 0) {
    $summary = 'Exchange Online already matches the configuration: nothing changed.'
}
Write-ReportSummary $summary
if ($failures.Count -gt 0) {
    Write-ReportSummary "$($failures.Count) failure(s); the deployment fails and the next 'pulumi up' retries them:"
    foreach ($failure in ($failures | Select-Object -First 10)) {
        Write-ReportSummary "  $($failure.address): $($failure.message)"
    }
}
Write-RecordedState -State $record
