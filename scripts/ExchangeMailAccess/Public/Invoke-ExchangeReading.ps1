<#
.SYNOPSIS
    Reads, without changing anything, what Exchange Online holds for one app (npm run adopt).
.DESCRIPTION
    One Exchange session (the module, the sign-in and the tenant check of the Exchange step), then
    Read-ExchangeAppSetup: the app's service principal registrations, the FullAccess and SendAs entries they hold,
    those mailboxes' protocol settings and recipient types, the organisation's SMTP AUTH switch, management role
    assignments and Application Access Policies naming the app. Every value comes from the environment:
    M365_APP_ID (required), M365_SP_OBJECT_ID and M365_APP_OBJECT_ID (the enterprise application's and the app
    registration's object IDs, to tell which one a registration names), M365_ADOPT_MAILBOXES (a JSON list of
    addresses to read; unset: every mailbox), and the sign-in's M365_EXO_* and M365_TENANT_ID.
.OUTPUTS
    A hashtable; the entry script prints it as one JSON document.
.EXAMPLE
    $reading = Invoke-ExchangeReading
#>
function Invoke-ExchangeReading {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $result = @{ reading = $null }
    try {
        & {
            $appId = Get-RequiredSetting -Name 'M365_APP_ID'
            $mailboxes = @()
            if ($env:M365_ADOPT_MAILBOXES) { $mailboxes = @($env:M365_ADOPT_MAILBOXES | ConvertFrom-Json) }
            $module = Import-ExchangeModule
            Connect-ExchangeMailAccess -ModuleVersion $module.Version
            try {
                $result.reading = Read-ExchangeAppSetup -AppId $appId -ServicePrincipalObjectId "$env:M365_SP_OBJECT_ID" -ApplicationObjectId "$env:M365_APP_OBJECT_ID" -Mailboxes $mailboxes
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
