<#
    Get: reads what Exchange Online holds now. Nothing here changes anything.

    Every Exchange cmdlet is called with -ErrorAction Stop: the module writes its errors as non-terminating
    errors from inside its own functions, where the caller's $ErrorActionPreference does not reach, so without
    it a failed call would simply return nothing.
#>

function Test-NotFoundError {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][System.Management.Automation.ErrorRecord] $ErrorRecord)
    return ($ErrorRecord.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::ObjectNotFound) -or
        ("$($ErrorRecord.FullyQualifiedErrorId) $($ErrorRecord.Exception.Message)" -match "couldn't be found|could not be found|ManagementObjectNotFound")
}

<# A property of an object Exchange returned, or $null: strict mode must not turn a renamed property into a crash. #>
function Get-PropertyValue {
    [CmdletBinding()]
    param([AllowNull()][object] $InputObject, [Parameter(Mandatory)][string[]] $Name)
    if ($null -eq $InputObject) { return $null }
    foreach ($candidate in $Name) {
        $property = $InputObject.PSObject.Properties[$candidate]
        if ($null -ne $property -and $null -ne $property.Value) { return $property.Value }
    }
    return $null
}

<#
    A service principal registration as the rest of the module reads it: Identity (the form -User and -Trustee take),
    ObjectId (the enterprise application; ServiceId in older module versions) and AppId.
#>
function ConvertTo-ServicePrincipalRecord {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowNull()][object] $InputObject)
    if ($null -eq $InputObject) { return $null }
    return @{
        Identity = [string] (Get-PropertyValue -InputObject $InputObject -Name 'Identity', 'ObjectId', 'ServiceId')
        ObjectId = [string] (Get-PropertyValue -InputObject $InputObject -Name 'ObjectId', 'ServiceId')
        AppId    = [string] (Get-PropertyValue -InputObject $InputObject -Name 'AppId')
    }
}

<# The app's service principal registration in Exchange Online, or $null when there is none. #>
function Get-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][string] $Identity)
    try {
        return ConvertTo-ServicePrincipalRecord -InputObject (Get-ServicePrincipal -Identity $Identity -ErrorAction Stop | Select-Object -First 1)
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
}

<#
    One mailbox's grants for the trustee and its protocol settings; $null when the mailbox does not exist.
    Get-MailboxPermission also lists inherited and deny entries: only an explicit allow of FullAccess counts.
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
    $fullAccess = @(
        Get-MailboxPermission -Identity $Address -User $Trustee -ErrorAction Stop |
            Where-Object { -not $_.Deny -and -not $_.IsInherited -and (@($_.AccessRights) -contains 'FullAccess') }
    ).Count -gt 0
    $sendAs = @(
        Get-RecipientPermission -Identity $Address -Trustee $Trustee -AccessRights SendAs -ErrorAction Stop |
            Where-Object { "$($_.AccessControlType)" -eq 'Allow' -and -not $_.IsInherited }
    ).Count -gt 0
    return @{
        fullAccess = $fullAccess
        sendAs     = $sendAs
        settings   = @{
            SmtpClientAuthenticationDisabled = Get-PropertyValue -InputObject $cas -Name 'SmtpClientAuthenticationDisabled'
            ImapEnabled                      = [bool] (Get-PropertyValue -InputObject $cas -Name 'ImapEnabled')
            PopEnabled                       = [bool] (Get-PropertyValue -InputObject $cas -Name 'PopEnabled')
        }
    }
}

function Get-OrganizationSmtpAuthDisabled {
    [CmdletBinding()]
    param()
    return [bool] (Get-TransportConfig -ErrorAction Stop).SmtpClientAuthenticationDisabled
}
