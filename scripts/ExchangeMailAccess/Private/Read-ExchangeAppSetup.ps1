<#
    What Exchange Online holds for one app, read only (npm run adopt; the readiness check): its service principal
    registrations (by AppId; each says whether its ObjectId is the enterprise application's, or the app
    registration's object ID the vendor guides' readers often give New-ServicePrincipal by mistake), the FullAccess
    and SendAs entries any of them holds, those mailboxes' protocol settings and recipient type, the organisation's
    SMTP AUTH switch, management role assignments and Application Access Policies naming the app.

    Get-ServicePrincipal: "a non-existent value for the Identity parameter returns all objects" (its reference
    page), so the answer is filtered on AppId. Get-RecipientPermission -Trustee needs no -Identity (one call for the
    organisation); Get-MailboxPermission needs -Identity, so it is asked per mailbox. Get-ManagementRoleAssignment
    and Get-ApplicationAccessPolicy are read whole and filtered here: their pages do not say how an app is named in
    -RoleAssignee, and Get-ApplicationAccessPolicy takes no filter but -Identity.
#>
function Read-ExchangeAppSetup {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [string] $ServicePrincipalObjectId,
        [string] $ApplicationObjectId,
        [string[]] $Mailboxes = @()
    )
    $registrations = @(
        foreach ($item in @(Get-ServicePrincipal -Identity $AppId -ErrorAction Stop)) {
            $principal = ConvertTo-ServicePrincipalRecord -InputObject $item
            if ($null -eq $principal -or $principal.AppId -ne $AppId) { continue }
            $registeredAs = 'other'
            if ($ServicePrincipalObjectId -and $principal.ObjectId -eq $ServicePrincipalObjectId) { $registeredAs = 'enterpriseApplication' }
            elseif ($ApplicationObjectId -and $principal.ObjectId -eq $ApplicationObjectId) { $registeredAs = 'appRegistration' }
            @{
                identity = $principal.Identity; appId = $principal.AppId; objectId = $principal.ObjectId
                displayName = [string] (Get-PropertyValue -InputObject $item -Name 'DisplayName'); objectIdIs = $registeredAs
            }
        }
    )
    $trustees = @($registrations | ForEach-Object { $_.identity })
    $addresses = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    $recipientTypes = @{}
    if ($Mailboxes.Count -gt 0) {
        foreach ($address in $Mailboxes) { [void] $addresses.Add($address) }
    }
    elseif ($trustees.Count -gt 0) {
        foreach ($mailbox in @(Get-Mailbox -ResultSize Unlimited -ErrorAction Stop)) {
            $address = [string] (Get-PropertyValue -InputObject $mailbox -Name 'PrimarySmtpAddress')
            [void] $addresses.Add($address)
            $recipientTypes[$address.ToLowerInvariant()] = [string] (Get-PropertyValue -InputObject $mailbox -Name 'RecipientTypeDetails')
        }
    }
    $grants = @{}
    foreach ($trustee in $trustees) {
        foreach ($entry in @(Get-RecipientPermission -Trustee $trustee -AccessRights SendAs -ResultSize Unlimited -ErrorAction Stop)) {
            if (-not (Test-ExplicitEntry -Entry $entry) -or "$(Get-PropertyValue -InputObject $entry -Name 'AccessControlType')" -ne 'Allow') { continue }
            $address = [string] (Get-PropertyValue -InputObject $entry -Name 'Identity')
            $mailbox = Get-CASMailbox -Identity $address -ErrorAction Stop
            $primary = [string] (Get-PropertyValue -InputObject $mailbox -Name 'PrimarySmtpAddress')
            if ($primary) { $address = $primary }
            [void] $addresses.Add($address)
            if (-not $grants.ContainsKey($address.ToLowerInvariant())) { $grants[$address.ToLowerInvariant()] = @{ fullAccess = @(); sendAs = @() } }
            $grants[$address.ToLowerInvariant()].sendAs += $trustee
        }
        foreach ($address in $addresses) {
            foreach ($entry in @(Get-MailboxPermission -Identity $address -User $trustee -ErrorAction Stop)) {
                if (-not (Test-ExplicitEntry -Entry $entry) -or [bool] (Get-PropertyValue -InputObject $entry -Name 'Deny')) { continue }
                if (@(Get-PropertyValue -InputObject $entry -Name 'AccessRights') -notcontains 'FullAccess') { continue }
                if (-not $grants.ContainsKey($address.ToLowerInvariant())) { $grants[$address.ToLowerInvariant()] = @{ fullAccess = @(); sendAs = @() } }
                $grants[$address.ToLowerInvariant()].fullAccess += $trustee
            }
        }
    }
    $mailboxReadings = @(
        foreach ($address in $addresses) {
            $key = $address.ToLowerInvariant()
            if (-not $grants.ContainsKey($key) -and $Mailboxes.Count -eq 0) { continue }
            $cas = Get-CASMailbox -Identity $address -ErrorAction Stop
            if (-not $recipientTypes.ContainsKey($key)) {
                $recipientTypes[$key] = [string] (Get-PropertyValue -InputObject (Get-Mailbox -Identity $address -ErrorAction Stop) -Name 'RecipientTypeDetails')
            }
            $held = if ($grants.ContainsKey($key)) { $grants[$key] } else { @{ fullAccess = @(); sendAs = @() } }
            @{
                address = $address; recipientTypeDetails = $recipientTypes[$key]
                fullAccess = @($held.fullAccess); sendAs = @($held.sendAs)
                imapEnabled = [bool] (Get-PropertyValue -InputObject $cas -Name 'ImapEnabled')
                popEnabled = [bool] (Get-PropertyValue -InputObject $cas -Name 'PopEnabled')
                smtpClientAuthenticationDisabled = Get-PropertyValue -InputObject $cas -Name 'SmtpClientAuthenticationDisabled'
            }
        }
    )
    $names = @($AppId, $ServicePrincipalObjectId, $ApplicationObjectId) + $trustees + @($registrations | ForEach-Object { $_.displayName }) | Where-Object { $_ }
    $roleAssignments = @(
        foreach ($assignment in @(Get-ManagementRoleAssignment -ErrorAction Stop)) {
            $assignee = [string] (Get-PropertyValue -InputObject $assignment -Name 'RoleAssignee', 'RoleAssigneeName')
            if ($names -notcontains $assignee) { continue }
            @{
                name = [string] (Get-PropertyValue -InputObject $assignment -Name 'Name', 'Identity'); role = [string] (Get-PropertyValue -InputObject $assignment -Name 'Role')
                roleAssignee = $assignee; customResourceScope = [string] (Get-PropertyValue -InputObject $assignment -Name 'CustomResourceScope')
            }
        }
    )
    $policies = $null
    if ($null -ne (Get-Command -Name 'Get-ApplicationAccessPolicy' -ErrorAction SilentlyContinue)) {
        $policies = @(
            foreach ($policy in @(Get-ApplicationAccessPolicy -ErrorAction Stop)) {
                if (@(Get-PropertyValue -InputObject $policy -Name 'AppId') -notcontains $AppId) { continue }
                @{
                    identity = [string] (Get-PropertyValue -InputObject $policy -Name 'Identity'); accessRight = [string] (Get-PropertyValue -InputObject $policy -Name 'AccessRight')
                    scopeName = [string] (Get-PropertyValue -InputObject $policy -Name 'ScopeName', 'ScopeIdentity'); description = [string] (Get-PropertyValue -InputObject $policy -Name 'Description')
                }
            }
        )
    }
    return @{
        appId = $AppId; servicePrincipals = $registrations; mailboxes = $mailboxReadings
        organizationSmtpClientAuthenticationDisabled = [bool] (Get-TransportConfig -ErrorAction Stop).SmtpClientAuthenticationDisabled
        managementRoleAssignments = $roleAssignments; applicationAccessPolicies = $policies
    }
}
