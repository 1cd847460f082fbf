<#
    One mailbox as the readiness check sees it: whether Exchange knows it as a mailbox, its RecipientTypeDetails
    (Get-Mailbox; UserMailbox and SharedMailbox are the kinds a mail client reads), and the protocol settings the
    Exchange step would change (Get-CASMailbox). An address that is not a mailbox (a group, a contact, a typo)
    answers with exists = $false.
#>
function Get-MailboxReadiness {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][string] $Address)
    try {
        $mailbox = Get-Mailbox -Identity $Address -ErrorAction Stop
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return @{ exists = $false } }
        throw
    }
    $cas = Get-CASMailbox -Identity $Address -ErrorAction Stop
    return @{
        exists                           = $true
        recipientTypeDetails             = [string] (Get-PropertyValue -InputObject $mailbox -Name 'RecipientTypeDetails')
        imapEnabled                      = [bool] (Get-PropertyValue -InputObject $cas -Name 'ImapEnabled')
        popEnabled                       = [bool] (Get-PropertyValue -InputObject $cas -Name 'PopEnabled')
        smtpClientAuthenticationDisabled = Get-PropertyValue -InputObject $cas -Name 'SmtpClientAuthenticationDisabled'
    }
}
