function Get-MailboxSettingTargets {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowNull()][hashtable] $Desired)
    $wanted = $null -ne $Desired
    # SMTP AUTH per mailbox: the mailbox's own setting $false. Organisation-wide: the mailbox's own setting wins
    # over the organisation's, so a mailbox with $true must lose it ($null follows the organisation); $false
    # already allows SMTP AUTH and stays.
    $organization = $wanted -and [bool] $Desired['smtpClientAuthOrganization']
    $smtp = if ($organization) { @{ wanted = $true; value = $null; accepted = @($null, $false) } } else { @{ wanted = $wanted -and $Desired.smtpClientAuth; value = $false; accepted = @($false) } }
    return [ordered]@{
        SmtpClientAuthenticationDisabled = $smtp
        ImapEnabled                      = @{ wanted = $wanted -and $Desired.imapEnabled; value = $true; accepted = @($true) }
        PopEnabled                       = @{ wanted = $wanted -and $Desired.popEnabled; value = $true; accepted = @($true) }
    }
}
