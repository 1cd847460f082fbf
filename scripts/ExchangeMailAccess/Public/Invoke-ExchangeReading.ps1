<#
.SYNOPSIS
    Reads, without changing anything, what Exchange Online holds: for one app (npm run adopt) or for the readiness
    check before a first deployment (npm run preflight).
.DESCRIPTION
    One Exchange session (the module, the sign-in and the tenant check of the Exchange step), then one reading:
      AppSetup   Read-ExchangeAppSetup: the app's service principal registrations, the FullAccess and SendAs entries
                 they hold, those mailboxes' protocol settings and recipient types, the organisation's SMTP AUTH
                 switch, management role assignments and Application Access Policies naming the app. From the
                 environment: M365_APP_ID (required), M365_SP_OBJECT_ID and M365_APP_OBJECT_ID (the enterprise
                 application's and the app registration's object IDs, to tell which one a registration names),
                 M365_ADOPT_MAILBOXES (a JSON list of addresses to read; unset: every mailbox).
      Readiness  Read-ExchangeReadiness: the module version, the organisation's SMTP AUTH switch, and each
                 M365_MAILBOX_* mailbox (exists, recipient type, protocol settings).
    The sign-in comes from the M365_EXO_* variables and M365_TENANT_ID. Only Get- cmdlets are called.
.PARAMETER Reading
    AppSetup or Readiness; by default the value of M365_EXO_READING.
.OUTPUTS
    A hashtable; the entry script prints it as one JSON document.
.EXAMPLE
    $reading = Invoke-ExchangeReading -Reading Readiness
#>
function Invoke-ExchangeReading {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([ValidateSet('AppSetup', 'Readiness')][string] $Reading)
    $result = @{ reading = $null }
    try {
        if (-not $Reading) { $Reading = Get-RequiredSetting -Name 'M365_EXO_READING' }
        if ($Reading -notin @('AppSetup', 'Readiness')) { throw "M365_EXO_READING is '$Reading', not AppSetup or Readiness." }
        # Warnings, verbose and host output (which PowerShell's console host writes to stdout) go to the report on
        # stderr, as in the Exchange step: stdout carries only the entry script's JSON.
        & {
            $module = Import-ExchangeModule
            Connect-ExchangeMailAccess -ModuleVersion $module.Version
            try {
                if ($Reading -eq 'Readiness') {
                    $result.reading = Read-ExchangeReadiness -ModuleVersion $module.Version
                }
                else {
                    $mailboxes = @()
                    if ($env:M365_ADOPT_MAILBOXES) { $mailboxes = @($env:M365_ADOPT_MAILBOXES | ConvertFrom-Json) }
                    $result.reading = Read-ExchangeAppSetup -AppId (Get-RequiredSetting -Name 'M365_APP_ID') -ServicePrincipalObjectId "$env:M365_SP_OBJECT_ID" -ApplicationObjectId "$env:M365_APP_OBJECT_ID" -Mailboxes $mailboxes
                }
            }
            finally {
                Disconnect-ExchangeMailAccess
            }
        } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport
    }
    catch {
        Write-ReportSummary "error: $($_.Exception.Message)"
        throw
    }
    return $result.reading
}
