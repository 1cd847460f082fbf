<#
    Get: reads what Exchange Online holds now. Nothing here changes anything.

    Every Exchange cmdlet is called with -ErrorAction Stop. The entry scripts' $ErrorActionPreference = 'Stop'
    would reach the module's errors too (`pwsh -File` runs a script in the global scope, and a module function
    falls back to the global preference), but only while nothing in between sets another preference; on the call
    itself the behaviour is fixed whoever imports these functions.
#>

function Test-NotFoundError {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][System.Management.Automation.ErrorRecord] $ErrorRecord)
    # A cmdlet missing from the session is category ObjectNotFound as well, and is never "the object isn't there".
    if ($ErrorRecord.Exception -is [System.Management.Automation.CommandNotFoundException]) { return $false }
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

<#
    The app's service principal registration in Exchange Online, or $null when there is none.

    Microsoft's Get-ServicePrincipal page cautions that a non-existent value for -Identity returns *all*
    registrations, so every answer is filtered on the AppId (and on the Identity when one is asked for): another
    app's registration is never taken for the stack's. More than one registration for the app is an error that an
    administrator resolves; nothing is changed then.
#>
function Get-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [string] $Identity
    )
    $lookup = if ($Identity) { $Identity } else { $AppId }
    try {
        $answer = @(Get-ServicePrincipal -Identity $lookup -ErrorAction Stop)
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
    $matching = @(
        foreach ($item in $answer) {
            $principal = ConvertTo-ServicePrincipalRecord -InputObject $item
            if ($null -eq $principal -or $principal.AppId -ne $AppId) { continue }
            if ($Identity -and $principal.Identity -ne $Identity -and $principal.ObjectId -ne $Identity) { continue }
            $principal
        }
    )
    if ($matching.Count -gt 1) {
        throw "Exchange Online holds $($matching.Count) service principal registrations for app ${AppId} ($(@($matching | ForEach-Object { "Identity $($_.Identity), ObjectId $($_.ObjectId)" }) -join '; ')). Nothing was changed. Keep the one whose ObjectId is the enterprise application's object ID and remove the others with Remove-ServicePrincipal, then run 'pulumi up' again."
    }
    if ($matching.Count -eq 0) { return $null }
    return $matching[0]
}

<# Whether a permission entry Exchange returned is one of the trustee's own, not inherited. #>
function Test-ExplicitEntry {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][object] $Entry)
    return -not [bool] (Get-PropertyValue -InputObject $Entry -Name 'IsInherited')
}

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

function Get-OrganizationSmtpAuthDisabled {
    [CmdletBinding()]
    param()
    return [bool] (Get-TransportConfig -ErrorAction Stop).SmtpClientAuthenticationDisabled
}

<# One group, scope or role assignment by its exact name, or $null: an answer of another name is not it. #>
function Get-NamedExchangeObject {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][ValidateSet('Group', 'Scope', 'Assignment')][string] $Kind,
        [Parameter(Mandatory)][string] $Name
    )
    try {
        $answer = switch ($Kind) {
            'Group' { @(Get-DistributionGroup -Identity $Name -ErrorAction Stop) }
            'Scope' { @(Get-ManagementScope -Identity $Name -ErrorAction Stop) }
            'Assignment' { @(Get-ManagementRoleAssignment -Identity $Name -ErrorAction Stop) }
        }
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
    return @($answer | Where-Object { "$(Get-PropertyValue -InputObject $_ -Name 'Name')" -eq $Name }) | Select-Object -First 1
}

<#
    SMTP through RBAC for Applications: the stack's group, scope and role assignment as Exchange holds them, each
    $null when absent. Names are the stack's (from the plan); what answers to them is compared with the record
    before anything is touched.
#>
function Get-AppRbacObjects {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $Names)
    $group = Get-NamedExchangeObject -Kind Group -Name $Names.group
    $scope = Get-NamedExchangeObject -Kind Scope -Name $Names.scope
    $assignment = Get-NamedExchangeObject -Kind Assignment -Name $Names.assignment
    return @{
        group      = if ($null -ne $group) { @{ name = [string] (Get-PropertyValue -InputObject $group -Name 'Name'); dn = [string] (Get-PropertyValue -InputObject $group -Name 'DistinguishedName') } } else { $null }
        scope      = if ($null -ne $scope) { @{ name = [string] (Get-PropertyValue -InputObject $scope -Name 'Name'); filter = [string] (Get-PropertyValue -InputObject $scope -Name 'RecipientFilter', 'RecipientRestrictionFilter') } } else { $null }
        assignment = if ($null -ne $assignment) { @{ name = [string] (Get-PropertyValue -InputObject $assignment -Name 'Name'); app = [string] (Get-PropertyValue -InputObject $assignment -Name 'RoleAssignee', 'App') } } else { $null }
    }
}

<# The primary SMTP addresses (lower case) of the group's members: one call, whatever the number of mailboxes. #>
function Get-AppRbacMembers {
    [CmdletBinding()]
    [OutputType([System.Collections.Generic.HashSet[string]])]
    param([Parameter(Mandatory)][string] $Group)
    $members = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($member in @(Get-DistributionGroupMember -Identity $Group -ResultSize Unlimited -ErrorAction Stop)) {
        $address = [string] (Get-PropertyValue -InputObject $member -Name 'PrimarySmtpAddress')
        if ($address) { [void] $members.Add($address.ToLowerInvariant()) }
    }
    return , $members
}

<# Whether the app is authorised to send as the mailbox (Test-ServicePrincipalAuthorization -Resource, InScope). #>
function Test-AppRbacAuthorization {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][string] $Trustee,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Role
    )
    foreach ($row in @(Test-ServicePrincipalAuthorization -Identity $Trustee -Resource $Address -ErrorAction Stop)) {
        if ("$(Get-PropertyValue -InputObject $row -Name 'RoleName')" -eq $Role -and "$(Get-PropertyValue -InputObject $row -Name 'InScope')" -eq 'True') { return $true }
    }
    return $false
}
