<#
    The readiness check's reading (npm run preflight), in an open session: the module version, the organisation-wide
    SMTP AUTH switch, and for each M365_MAILBOX_* mailbox whether it exists, its recipient type and protocol settings
    (Get-MailboxReadiness). Keys: module, organizationSmtpAuthDisabled, mailboxes (by address in lower case).
#>
function Read-ExchangeReadiness {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][version] $ModuleVersion)
    $desired = Read-DesiredMailboxes
    $mailboxes = [ordered]@{}
    foreach ($address in @($desired.Keys | Sort-Object)) {
        $mailboxes[$address] = Get-MailboxReadiness -Address $desired[$address].address
    }
    return @{
        module                       = "$ModuleVersion"
        organizationSmtpAuthDisabled = Get-OrganizationSmtpAuthDisabled
        mailboxes                    = $mailboxes
    }
}
