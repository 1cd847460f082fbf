<#
.SYNOPSIS
    Reads, changing nothing, what the readiness check (npm run preflight) needs to know of Exchange Online.
.DESCRIPTION
    Imports the module and signs in exactly as the Exchange step does (the M365_EXO_* variables, and the check that
    the sign-in reached the stack's tenant, M365_TENANT_ID), then reads the organisation-wide SMTP AUTH switch and,
    for each M365_MAILBOX_* mailbox, whether it exists, what kind of recipient it is (Get-Mailbox) and its
    protocol settings (Get-CASMailbox). Only Get- cmdlets are called.
.OUTPUTS
    A hashtable: module (the version loaded), organizationSmtpAuthDisabled, and mailboxes, one entry per address in
    lower case: exists, recipientTypeDetails, imapEnabled, popEnabled, smtpClientAuthenticationDisabled ($null: the
    organisation's setting applies).
.EXAMPLE
    Get-ExchangeReadiness | ConvertTo-Json -Depth 4
#>
function Get-ExchangeReadiness {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $desired = Read-DesiredMailboxes
    $result = @{}
    # Warnings, verbose and host output (which PowerShell's console host writes to stdout) go to the report on
    # stderr, as in the Exchange step: stdout carries only the entry script's JSON.
    & {
        $module = Import-ExchangeModule
        Connect-ExchangeMailAccess -ModuleVersion $module.Version
        try {
            $mailboxes = [ordered]@{}
            foreach ($address in @($desired.Keys | Sort-Object)) {
                $mailboxes[$address] = Get-MailboxReadiness -Address $desired[$address].address
            }
            $result.module = "$($module.Version)"
            $result.organizationSmtpAuthDisabled = Get-OrganizationSmtpAuthDisabled
            $result.mailboxes = $mailboxes
        }
        finally {
            Disconnect-ExchangeMailAccess
        }
    } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport
    return $result
}
