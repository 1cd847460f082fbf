<#
    One mailbox's grants for the trustee and its protocol settings; $null when the mailbox does not exist.
    Get-MailboxPermission also lists inherited and deny entries: only an explicit allow of FullAccess counts as the
    grant, and an explicit Deny is returned apart, because a Deny wins over any Allow and the app could not open
    the mailbox. Get-RecipientPermission's output is not documented field by field: every property is read the
    tolerant way (Get-PropertyValue), under strict mode too.
#>
function Get-MailboxAccess {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Trustee
    )
    try {
        $cas = Get-CASMailbox -Identity $Address -ErrorAction Stop
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
    $fullAccess = $false
    $denied = [System.Collections.Generic.List[string]]::new()
    foreach ($entry in @(Get-MailboxPermission -Identity $Address -User $Trustee -ErrorAction Stop)) {
        if (-not (Test-ExplicitEntry -Entry $entry) -or @(Get-PropertyValue -InputObject $entry -Name 'AccessRights') -notcontains 'FullAccess') { continue }
        if ([bool] (Get-PropertyValue -InputObject $entry -Name 'Deny')) { $denied.Add('FullAccess') } else { $fullAccess = $true }
    }
    $sendAs = $false
    foreach ($entry in @(Get-RecipientPermission -Identity $Address -Trustee $Trustee -AccessRights SendAs -ErrorAction Stop)) {
        if (-not (Test-ExplicitEntry -Entry $entry)) { continue }
        switch ("$(Get-PropertyValue -InputObject $entry -Name 'AccessControlType')") {
            'Allow' { $sendAs = $true }
            'Deny' { $denied.Add('SendAs') }
        }
    }
    return @{
        fullAccess  = $fullAccess
        sendAs      = $sendAs
        groupMember = $false
        denied      = @($denied | Select-Object -Unique)
        settings    = @{
            SmtpClientAuthenticationDisabled = Get-PropertyValue -InputObject $cas -Name 'SmtpClientAuthenticationDisabled'
            ImapEnabled                      = [bool] (Get-PropertyValue -InputObject $cas -Name 'ImapEnabled')
            PopEnabled                       = [bool] (Get-PropertyValue -InputObject $cas -Name 'PopEnabled')
        }
    }
}
