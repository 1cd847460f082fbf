<#
    Invoke: runs what Resolve decided, one operation at a time, and reports it. An operation that fails stops its
    mailbox (the rest of that mailbox's operations are not attempted), is recorded as a failure naming the mailbox,
    and the other mailboxes go on. Nothing is reported as done unless Exchange accepted it.
#>

function Get-PositiveNumberSetting {
    [CmdletBinding()]
    [OutputType([double])]
    param([Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][double] $Default)
    $value = 0.0
    if ([double]::TryParse([string] [Environment]::GetEnvironmentVariable($Name), [System.Globalization.NumberStyles]::Float, [cultureinfo]::InvariantCulture, [ref] $value) -and $value -gt 0) {
        return $value
    }
    return $Default
}

<#
    Entra ID replicates a new service principal to Exchange Online with a delay. New-ServicePrincipal does not
    show it (its page documents no check of -AppId or -ObjectId, and it succeeds at once); the first grant that
    names the principal does, answering that the principal "couldn't be found". Microsoft's pages do not document
    that answer; it is what Exchange says for a principal it does not know. So exactly that is retried, on the
    grant where it occurs, with backoff up to a bound: an error naming the mailbox, or any other error, is not.
#>
function Test-PrincipalNotYetKnown {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.ErrorRecord] $ErrorRecord,
        [Parameter(Mandatory)][string[]] $Principal
    )
    if (-not (Test-NotFoundError -ErrorRecord $ErrorRecord)) { return $false }
    foreach ($value in $Principal) {
        if ($value -and "$($ErrorRecord.Exception.Message)".Contains("'$value'")) { return $true }
    }
    return $false
}

<#
    The cmdlet call of one operation. Grants and the role assignment name the service principal; those are the
    calls where Entra ID's replication lag shows (Invoke-WithReplicationRetry).
#>
function Invoke-ExchangeCall {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Operation)
    $op = $Operation
    switch ("$($op.kind) $($op['right'])".Trim()) {
        # No auto-mapping: the app is not a person, and Outlook must not open the mailbox for anyone.
        'Grant FullAccess' { Add-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -AutoMapping $false -Confirm:$false -ErrorAction Stop | Out-Null }
        'Grant SendAs' { Add-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null }
        'Grant GroupMember' { Add-DistributionGroupMember -Identity $op.group -Member $op.address -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke FullAccess' { Remove-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke SendAs' { Remove-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke GroupMember' { Remove-DistributionGroupMember -Identity $op.group -Member $op.address -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        'CheckRbac' {
            if (-not (Test-AppRbacAuthorization -Trustee $op.trustee -Address $op.address -Role $script:AppRbacRole)) {
                throw "Exchange accepted $($op.address) into the group $($op.group), but Test-ServicePrincipalAuthorization -Resource $($op.address) does not show '$script:AppRbacRole' in scope for the app"
            }
        }
        'SetMailbox' {
            # The setting is a Set-CASMailbox parameter of the one table ($script:MailboxSettingNames), splatted by
            # name: a new setting is added to that table, not here.
            if ($script:MailboxSettingNames -notcontains $op.setting) { throw "unknown mailbox setting $($op.setting)" }
            $setting = @{ Identity = $op.address; $op.setting = $op.value }
            Set-CASMailbox @setting -Confirm:$false -ErrorAction Stop | Out-Null
        }
        'SetOrganization' { Set-TransportConfig -SmtpClientAuthenticationDisabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null }
        'NewGroup' { return New-DistributionGroup -Name $op.name -Alias $op.name -Type Security -ErrorAction Stop }
        'NewScope' { New-ManagementScope -Name $op.name -RecipientRestrictionFilter $op.filter -ErrorAction Stop | Out-Null }
        # -App takes the service principal's ObjectId (New-ManagementRoleAssignment's reference page).
        'NewAssignment' { New-ManagementRoleAssignment -Name $op.name -Role $script:AppRbacRole -App $op.app -CustomResourceScope $op.scope -ErrorAction Stop | Out-Null }
        'RemoveAssignment' { Remove-ManagementRoleAssignment -Identity $op.name -Confirm:$false -ErrorAction Stop | Out-Null }
        'RemoveScope' { Remove-ManagementScope -Identity $op.name -Confirm:$false -ErrorAction Stop | Out-Null }
        'RemoveGroup' { Remove-DistributionGroup -Identity $op.name -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        default { throw "unknown operation $($op.kind) $($op['right'])" }
    }
}

<# Runs the operation's call, retrying only while Exchange does not know the named service principal yet. #>
function Invoke-WithReplicationRetry {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $Operation,
        [Parameter(Mandatory)][string[]] $Principal
    )
    $timeout = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_TIMEOUT_SECONDS' -Default 900
    $delay = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_DELAY_SECONDS' -Default 5
    $deadline = [DateTime]::UtcNow.AddSeconds($timeout)
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            return Invoke-ExchangeCall -Operation $Operation
        }
        catch {
            if (-not (Test-PrincipalNotYetKnown -ErrorRecord $_ -Principal $Principal)) { throw }
            if ([DateTime]::UtcNow.AddSeconds($delay) -gt $deadline) {
                throw "$($Operation.description) still failed after $attempt attempts in $timeout s: $($_.Exception.Message). Entra ID has not replicated the service principal to Exchange Online yet; run 'pulumi up' again in a few minutes."
            }
            Write-Report "Exchange Online does not know the service principal yet ($($Operation.kind) on $($Operation['address']), attempt $attempt); retrying in $delay s"
            Start-Sleep -Milliseconds ([int] ($delay * 1000))
            $delay = [Math]::Min($delay * 2, 60)
        }
    }
}

<# Runs one mailbox or organisation operation, and reports it once Exchange accepted it. #>
function Invoke-MailAccessOperation {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Operation)
    $op = $Operation
    try {
        if ($op.kind -eq 'Grant' -and $op.right -ne 'GroupMember') {
            Invoke-WithReplicationRetry -Operation $op -Principal @($op.trustee) | Out-Null
        }
        else {
            Invoke-ExchangeCall -Operation $op | Out-Null
        }
    }
    catch {
        if ($op['ignoreNotFound'] -and (Test-NotFoundError -ErrorRecord $_)) {
            Write-Report "nothing to revoke: $($_.Exception.Message)"
            return
        }
        throw
    }
    Add-Change $op.description
}

<#
    Runs one appRbac operation (group, scope, role assignment) and applies its effect to the rbac record.
    The scope's filter names the group's distinguished name as Exchange returned it (Format-MemberOfGroupFilter).
#>
function Invoke-AppRbacOperation {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $Operation,
        [Parameter(Mandatory)][hashtable] $Record,
        [Parameter(Mandatory)][string] $Trustee
    )
    $op = $Operation
    switch ($op.kind) {
        'NewGroup' {
            $group = Invoke-ExchangeCall -Operation $op
            $Record.groupDn = [string] (Get-PropertyValue -InputObject $group -Name 'DistinguishedName')
            if (-not $Record.groupDn) { $Record.groupDn = [string] (Get-PropertyValue -InputObject (Get-DistributionGroup -Identity $op.name -ErrorAction Stop) -Name 'DistinguishedName') }
        }
        'NewScope' {
            $op.filter = Format-MemberOfGroupFilter -DistinguishedName $Record.groupDn
            Invoke-ExchangeCall -Operation $op
        }
        'NewAssignment' { Invoke-WithReplicationRetry -Operation $op -Principal @($op.app, $Trustee) | Out-Null }
        default { Invoke-ExchangeCall -Operation $op }
    }
    Complete-Operation -Record $Record -Operation $op
    Add-Change $op.description
}

# The one role Microsoft supports for SMTP through RBAC for Applications.
$script:AppRbacRole = 'Application SMTP.SendAsApp'

<#
    Registers the app's enterprise application in Exchange Online (New-ServicePrincipal -AppId -ObjectId). Called
    once: it is not documented to validate the IDs and does not show Entra ID's replication lag (see
    Invoke-WithReplicationRetry, where that lag shows).
#>
function Register-ExchangeServicePrincipal {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [Parameter(Mandatory)][string] $ObjectId,
        [Parameter(Mandatory)][string] $DisplayName
    )
    $created = New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName $DisplayName -ErrorAction Stop
    Add-Change "registered the app's enterprise application $ObjectId in Exchange Online (New-ServicePrincipal)"
    return $created
}

<#
    Makes sure the app's enterprise application is registered in Exchange Online and returns its Identity, the
    form Microsoft documents for -User and -Trustee. A registration left by an earlier enterprise application of
    the same app (or by the stack's previous app) loses its grants first, then goes. Only registrations whose
    AppId is the stack's (now or in the record) are ever moved or removed.
#>
function Set-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [Parameter(Mandatory)][hashtable] $State,
        [AllowNull()][hashtable] $Recorded
    )
    $existing = Get-ExchangeServicePrincipal -AppId $Desired.appId
    $stale = [System.Collections.Generic.List[hashtable]]::new()
    if ($null -ne $existing -and $existing.ObjectId -ne $Desired.servicePrincipalId) {
        $stale.Add(@{ identity = [string] $existing.Identity; registered = $true })
    }
    if ($null -ne $Recorded -and $Recorded.trustee -and $Recorded.servicePrincipalId -ne $Desired.servicePrincipalId -and @($stale | Where-Object { $_.identity -eq $Recorded.trustee }).Count -eq 0) {
        $recordedApp = if ($Recorded.appId) { [string] $Recorded.appId } else { [string] $Desired.appId }
        $previous = Get-ExchangeServicePrincipal -AppId $recordedApp -Identity ([string] $Recorded.trustee)
        # Not found under the recorded app: gone, or not the stack's. Its recorded grants are revoked (a grant to
        # a principal Exchange no longer knows answers "not found", which is fine); the registration is not touched.
        $stale.Add(@{ identity = [string] $Recorded.trustee; registered = ($null -ne $previous) })
    }
    foreach ($previous in $stale) {
        Write-Report "the enterprise application changed (Exchange service principal $($previous.identity) is not $($Desired.servicePrincipalId)): moving its grants"
        foreach ($operation in (Resolve-TrusteeMove -Records $State.mailboxes -PreviousTrustee $previous.identity)) {
            Invoke-MailAccessOperation -Operation $operation
            Complete-Operation -Record $State.mailboxes[$operation.key] -Operation $operation
        }
        if ($previous.registered) {
            Remove-ServicePrincipal -Identity $previous.identity -Confirm:$false -ErrorAction Stop | Out-Null
            Add-Change "removed the replaced enterprise application's Exchange service principal $($previous.identity)"
        }
    }
    if ($null -ne $existing -and $existing.ObjectId -eq $Desired.servicePrincipalId) {
        return [string] $existing.Identity
    }
    $created = ConvertTo-ServicePrincipalRecord -InputObject (Register-ExchangeServicePrincipal -AppId $Desired.appId -ObjectId $Desired.servicePrincipalId -DisplayName $Desired.displayName)
    if ($null -ne $created -and $created.Identity -and $created.AppId -eq $Desired.appId) {
        return $created.Identity
    }
    $registered = Get-ExchangeServicePrincipal -AppId $Desired.appId
    if ($null -eq $registered -or -not $registered.Identity) {
        throw "New-ServicePrincipal succeeded, but Exchange Online returns no registration for app $($Desired.appId)."
    }
    return $registered.Identity
}

function Add-Failure {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Message
    )
    $State.failures += , @{ address = $Address; message = $Message }
    Write-Report "FAILED on ${Address}: $Message"
}

<# A mailbox that could not be read or changed keeps the record it had (what the stack owns there), marked failed. #>
function Set-MailboxRecordFailed {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Key,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Message
    )
    $kept = if ($null -ne $Record) { $Record } else { New-MailboxRecord -Address $Address -Want $null }
    $kept.failed = $Message
    $State.mailboxes[$Key] = $kept
    Add-Failure -State $State -Address $Address -Message $Message
}

<#
    The appRbac group's members, read once per run and only when a mailbox that is read needs them: a
    one-mailbox change among a thousand still costs one call here.
#>
function Get-RunGroupMembers {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $State)
    if ($null -eq $State.run.groupMembers) {
        $State.run.groupMembers = if ($State.run.group) { Get-AppRbacMembers -Group $State.run.group } else { [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase) }
    }
    return , $State.run.groupMembers
}

<# Reads, resolves and changes one mailbox; leaves its record (or none) in the state. #>
function Sync-OneMailbox {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Key,
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Trustee
    )
    $address = if ($null -ne $Desired) { $Desired.address } else { $Record.address }
    $needsGroup = (($null -ne $Desired) -and [bool] $Desired.groupMember) -or (Get-OwnedGrants -Record $Record).groupMember
    try {
        $current = Get-MailboxAccess -Address $address -Trustee $Trustee
        if ($null -ne $current -and $needsGroup) {
            $current.groupMember = (Get-RunGroupMembers -State $State).Contains($address.ToLowerInvariant())
        }
    }
    catch {
        Set-MailboxRecordFailed -State $State -Key $Key -Record $Record -Address $address -Message $_.Exception.Message
        return
    }
    if ($null -eq $current) {
        if ($null -ne $Desired) {
            Set-MailboxRecordFailed -State $State -Key $Key -Record $Record -Address $address -Message "the mailbox couldn't be found in Exchange Online; check the address in m365-mail-oauth:mailboxes"
        }
        else {
            Write-Report "mailbox $address no longer exists; nothing to revoke there"
        }
        return
    }
    $resolved = Resolve-MailboxAccess -Address $address -Desired $Desired -Record $Record -Current $current -Trustee $Trustee -Group ([string] $State.run.group)
    $next = $resolved.record
    foreach ($operation in $resolved.operations) {
        try {
            Invoke-MailAccessOperation -Operation $operation
        }
        catch {
            $next.failed = $_.Exception.Message
            Add-Failure -State $State -Address $address -Message "$($operation.description) failed: $($_.Exception.Message)"
            break
        }
        Complete-Operation -Record $next -Operation $operation
    }
    foreach ($reason in $resolved.blocked) {
        $next.failed = $reason
        Add-Failure -State $State -Address $address -Message $reason
    }
    if (-not (Test-RecordEmpty -Record $next)) {
        $State.mailboxes[$Key] = $next
    }
}

<#
    Organisation-wide SMTP AUTH (Set-TransportConfig). Phase 'Enable' runs before the mailbox pass and only ever
    turns it on; phase 'Restore' runs after it, and only when no mailbox failed, and puts back an earlier value.
    So no mailbox is without SMTP AUTH at any point: enabling comes before any mailbox loses its own setting, and
    the organisation's goes back only once every mailbox has its own.
#>
function Sync-OrganizationSmtpAuth {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][bool] $ReconcileAll,
        [Parameter(Mandatory)][ValidateSet('Enable', 'Restore')][string] $Phase
    )
    if (-not $ReconcileAll -and $null -ne $Record -and [bool] $Record.want -eq $Wanted) {
        $State.organization = $Record
        return
    }
    if (-not $Wanted -and ($null -eq $Record -or -not $Record.owned)) {
        $State.organization = $null
        return
    }
    if (($Phase -eq 'Enable') -ne $Wanted) {
        $State.organization = $Record
        return
    }
    try {
        $resolved = Resolve-OrganizationSmtpAuth -Wanted $Wanted -Record $Record -CurrentDisabled (Get-OrganizationSmtpAuthDisabled)
        foreach ($operation in $resolved.operations) {
            Invoke-MailAccessOperation -Operation $operation
            Complete-Operation -Record $resolved.record -Operation $operation
        }
        $State.organization = $resolved.record
    }
    catch {
        $State.organization = $Record
        Add-Failure -State $State -Address 'organization' -Message "organization-wide SMTP AUTH: $($_.Exception.Message)"
    }
}

<#
    SMTP through RBAC for Applications: phase 'Create' runs before the mailbox pass (group, scope and role
    assignment exist before any mailbox joins the group or loses SendAs), phase 'Remove' after it, and only when
    no mailbox failed (the members have left by then). Trusted from the record while nothing about it changed.
#>
function Sync-AppRbac {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Trustee,
        [Parameter(Mandatory)][bool] $ReconcileAll,
        [Parameter(Mandatory)][ValidateSet('Create', 'Remove')][string] $Phase
    )
    $wanted = [bool] $Desired.wanted
    if (($Phase -eq 'Create') -ne $wanted) { return }
    if (-not $wanted -and (Test-AppRbacRecordEmpty -Record $Record)) {
        $State.rbac = $null
        return
    }
    $sameNames = ($null -ne $Record) -and ($null -ne $Record.names) -and ($Record.names.group -eq $Desired.names.group) -and ($Record.names.scope -eq $Desired.names.scope) -and ($Record.names.assignment -eq $Desired.names.assignment)
    $complete = (Test-AppRbacRecordComplete -Record $Record) -and [bool] $Record.want -and ($Record.app -eq $Desired.app)
    if ($wanted -and -not $ReconcileAll -and $sameNames -and $complete) {
        $State.rbac = $Record
        return
    }
    if ($wanted -and $null -ne $Record -and -not $sameNames -and -not (Test-AppRbacRecordEmpty -Record $Record)) {
        $State.rbac = $Record
        Add-Failure -State $State -Address 'appRbac' -Message "exchange.appRbacGroup changed from $($Record.names.group) to $($Desired.names.group) while the stack still owns the first; set it back, or switch exchange.smtpAuthorization to mailboxPermission for one update to remove it first"
        return
    }
    $names = if ($wanted) { $Desired.names } else { $Record.names }
    try {
        $current = Get-AppRbacObjects -Names $names
        $resolved = Resolve-AppRbac -Desired $Desired -Record $Record -Current $current
        $next = $resolved.record
        if ($null -ne $current.group -and -not $next.groupDn) { $next.groupDn = $current.group.dn }
        $State.rbac = $next
        foreach ($conflict in $resolved.conflicts) { Add-Failure -State $State -Address 'appRbac' -Message $conflict }
        foreach ($operation in $resolved.operations) {
            Invoke-AppRbacOperation -Operation $operation -Record $next -Trustee $Trustee
        }
        if (-not $wanted -and (Test-AppRbacRecordEmpty -Record $next)) { $State.rbac = $null }
    }
    catch {
        Add-Failure -State $State -Address 'appRbac' -Message "SMTP through RBAC for Applications: $($_.Exception.Message)"
    }
}

<#
    The cmdlets a run needs. Exchange Online leaves out of the session every cmdlet the signed-in identity's roles
    do not allow, so a missing one is a permissions problem, found right after signing in and named, before any
    change: never mistaken for "not found" further on.
#>
function Assert-SessionCmdlets {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][ValidateSet('Sync', 'Remove')][string] $Step,
        [Parameter(Mandatory)][bool] $OrganizationSmtpAuth,
        [Parameter(Mandatory)][bool] $AppRbac
    )
    $needed = [System.Collections.Generic.List[string]]::new()
    $needed.AddRange([string[]] @('Get-ServicePrincipal', 'Remove-ServicePrincipal', 'Get-CASMailbox', 'Set-CASMailbox',
            'Get-MailboxPermission', 'Add-MailboxPermission', 'Remove-MailboxPermission',
            'Get-RecipientPermission', 'Add-RecipientPermission', 'Remove-RecipientPermission'))
    if ($Step -eq 'Sync') { $needed.Add('New-ServicePrincipal') }
    if ($OrganizationSmtpAuth) { $needed.AddRange([string[]] @('Get-TransportConfig', 'Set-TransportConfig')) }
    if ($AppRbac) {
        $needed.AddRange([string[]] @('Get-DistributionGroup', 'New-DistributionGroup', 'Remove-DistributionGroup', 'Get-DistributionGroupMember',
                'Add-DistributionGroupMember', 'Remove-DistributionGroupMember', 'Get-ManagementScope', 'New-ManagementScope', 'Remove-ManagementScope',
                'Get-ManagementRoleAssignment', 'New-ManagementRoleAssignment', 'Remove-ManagementRoleAssignment', 'Test-ServicePrincipalAuthorization'))
    }
    $missing = @($needed | Where-Object { $null -eq (Get-Command -Name $_ -ErrorAction SilentlyContinue) })
    if ($missing.Count -gt 0) {
        throw "The Exchange Online session lacks $($missing -join ', '): Exchange leaves out every cmdlet the signed-in identity's roles do not allow. Nothing was changed. Sign in with an identity that holds them: the Exchange Administrator role or the Organization Management role group covers all; 'Get-ManagementRole -Cmdlet <name>' lists the roles that hold one (Microsoft: 'Find the permissions required to run any Exchange cmdlet')."
    }
}

<#
    Create and update: brings Exchange Online to the desired access and returns the new record. Failures of single
    mailboxes do not throw: they are in the record's failures (with everything that did change), because
    @pulumi/command keeps a run's stdout only when it exits 0, and a lost record would leave changes nobody undoes.

    Order: the registration; what only adds access (organisation-wide SMTP AUTH on, the appRbac group, scope and
    role assignment); the mailboxes, each gaining its new access before losing its old; then, only if no mailbox
    failed, what takes access away (organisation-wide SMTP AUTH restored, the appRbac objects removed).
#>
function Invoke-MailAccessSync {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Recorded
    )
    $recordedMailboxes = if ($null -ne $Recorded -and $null -ne $Recorded.mailboxes) { $Recorded.mailboxes } else { @{} }
    $recordedOrganization = if ($null -ne $Recorded) { $Recorded['organization'] } else { $null }
    $recordedRbac = if ($null -ne $Recorded) { $Recorded['rbac'] } else { $null }
    $state = @{
        appId = $Desired.appId; servicePrincipalId = $Desired.servicePrincipalId; trustee = $null
        reconcileRun = $Desired.reconcileRun; mailboxes = @{}; organization = $recordedOrganization; rbac = $recordedRbac; failures = @()
        run = @{ group = $null; groupMembers = $null }
    }
    foreach ($key in $recordedMailboxes.Keys) { $state.mailboxes[$key] = $recordedMailboxes[$key] }

    $trustee = Set-ExchangeServicePrincipal -Desired $Desired -State $state -Recorded $Recorded
    $state.trustee = $trustee
    $sameTrustee = ($null -ne $Recorded) -and ($Recorded.trustee -eq $trustee) -and ($Recorded.servicePrincipalId -eq $Desired.servicePrincipalId)
    $reconcileAll = $Desired.reconcileAll -or (($null -ne $Recorded) -and ([string] $Recorded.reconcileRun -ne $Desired.reconcileRun))
    if ($reconcileAll) { Write-Report 'Reading every mailbox (exchange.reconcile or a new exchange.reconcileRun).' }

    $rbacDesired = @{ wanted = $Desired.appRbac.wanted; names = $Desired.appRbac.names; app = $Desired.servicePrincipalId; trustee = $trustee }
    Sync-OrganizationSmtpAuth -State $state -Wanted $Desired.organizationSmtpAuth -Record $recordedOrganization -ReconcileAll $reconcileAll -Phase Enable
    Sync-AppRbac -State $state -Desired $rbacDesired -Record $recordedRbac -Trustee $trustee -ReconcileAll $reconcileAll -Phase Create
    $rbacReady = (-not $Desired.appRbac.wanted) -or (Test-AppRbacRecordComplete -Record $state.rbac)
    if ($null -ne $state.rbac -and $state.rbac.owns.group) {
        $state.run.group = [string] $state.rbac.names.group
    }

    $keys = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal)
    foreach ($key in $Desired.mailboxes.Keys) { [void] $keys.Add($key) }
    foreach ($key in $recordedMailboxes.Keys) { [void] $keys.Add($key) }
    $trusted = 0
    foreach ($key in $keys) {
        $desiredMailbox = if ($Desired.mailboxes.ContainsKey($key)) { $Desired.mailboxes[$key] } else { $null }
        $record = if ($state.mailboxes.ContainsKey($key)) { $state.mailboxes[$key] } else { $null }
        if ($null -ne $desiredMailbox -and (Test-MailboxRecordTrusted -Desired $desiredMailbox -Record $record -SameTrustee $sameTrustee -ReconcileAll $reconcileAll)) {
            $trusted++
            continue
        }
        if (-not $rbacReady -and $null -ne $desiredMailbox -and $desiredMailbox.groupMember) {
            # Without the role assignment, membership authorises nothing, and SendAs must not go: try next run.
            Set-MailboxRecordFailed -State $state -Key $key -Record $record -Address $desiredMailbox.address -Message 'not changed: SMTP through RBAC for Applications is not in place (see the appRbac failure)'
            continue
        }
        $state.mailboxes.Remove($key)
        if ($null -eq $desiredMailbox -and (Test-RecordOwnsNothing -Record $record)) {
            continue
        }
        Sync-OneMailbox -State $state -Key $key -Desired $desiredMailbox -Record $record -Trustee $trustee
    }
    if ($trusted -gt 0) { Write-Report "$trusted mailbox(es) unchanged since the last run: trusted from the record, not read." }

    if ($state.failures.Count -gt 0) {
        # What takes access away waits until every mailbox is done; its record stays as it was, so a later run
        # still knows what to put back or remove.
        if (($Desired.organizationSmtpAuth -ne [bool] ($null -ne $recordedOrganization -and $recordedOrganization.want)) -or
            (-not $Desired.appRbac.wanted -and -not (Test-AppRbacRecordEmpty -Record $state.rbac))) {
            Write-Report 'organization-wide SMTP AUTH and the appRbac objects are not removed while a mailbox failed'
        }
    }
    else {
        Sync-OrganizationSmtpAuth -State $state -Wanted $Desired.organizationSmtpAuth -Record $state.organization -ReconcileAll $reconcileAll -Phase Restore
        Sync-AppRbac -State $state -Desired $rbacDesired -Record $state.rbac -Trustee $trustee -ReconcileAll $reconcileAll -Phase Remove
    }
    $state.Remove('run')
    return $state
}

<#
    The record destroy works from when the command never recorded one (its first run failed before printing it):
    whatever the environment of that run asked for, granted to the stack's own app, is the stack's. Group
    membership is not: without a record the stack cannot know it made the group.
#>
function ConvertTo-RecordFromDesired {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $Desired)
    $mailboxes = @{}
    foreach ($key in $Desired.mailboxes.Keys) {
        $mailbox = $Desired.mailboxes[$key]
        $record = New-MailboxRecord -Address $mailbox.address -Want $null
        $record.owns.fullAccess = $mailbox.fullAccess
        $record.owns.sendAs = $mailbox.sendAs
        $mailboxes[$key] = $record
    }
    return @{ appId = $Desired.appId; servicePrincipalId = $Desired.servicePrincipalId; trustee = $null; mailboxes = $mailboxes; organization = $null; rbac = $null }
}

<#
    Delete (destroy, or the command leaving the stack): revokes every grant the record lists, puts back every
    setting the stack changed, removes the appRbac objects the stack made and the app's registration from
    Exchange Online. Throws if anything failed: delete keeps no output, and running it again is safe (it reads
    before it revokes). Only the stack's app's registration is removed: Get-ExchangeServicePrincipal filters on
    the AppId, since an Identity that matches nothing returns every registration.
#>
function Invoke-MailAccessRemoval {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Recorded)
    $recordedRbac = $Recorded['rbac']
    $state = @{ mailboxes = @{}; organization = $null; rbac = $recordedRbac; failures = @(); run = @{ group = $null; groupMembers = $null } }
    if ($null -ne $recordedRbac -and $null -ne $recordedRbac.owns -and $recordedRbac.owns.group) { $state.run.group = [string] $recordedRbac.names.group }
    $registration = Get-ExchangeServicePrincipal -AppId $Recorded.appId
    $trustee = if ($Recorded.trustee) { [string] $Recorded.trustee } elseif ($null -ne $registration) { [string] $registration.Identity } else { $null }
    if ($null -eq $trustee) {
        Write-Report "app $($Recorded.appId) has no service principal in Exchange Online: no mailbox grant can exist for it"
    }
    else {
        foreach ($key in @($Recorded.mailboxes.Keys | Sort-Object)) {
            $record = $Recorded.mailboxes[$key]
            $record.failed = $null
            Sync-OneMailbox -State $state -Key $key -Desired $null -Record $record -Trustee $trustee
        }
    }
    if ($state.failures.Count -eq 0 -and $null -ne $Recorded['organization'] -and $Recorded.organization.owned) {
        Sync-OrganizationSmtpAuth -State $state -Wanted $false -Record $Recorded.organization -ReconcileAll $true -Phase Restore
    }
    if ($state.failures.Count -eq 0 -and -not (Test-AppRbacRecordEmpty -Record $recordedRbac)) {
        $rbacDesired = @{ wanted = $false; names = $recordedRbac.names; app = $Recorded.servicePrincipalId; trustee = [string] $trustee }
        Sync-AppRbac -State $state -Desired $rbacDesired -Record $recordedRbac -Trustee ([string] $trustee) -ReconcileAll $true -Phase Remove
    }
    if ($state.failures.Count -gt 0) {
        throw "Exchange Online access could not be removed for: $(@($state.failures | ForEach-Object { "$($_.address) ($($_.message))" }) -join '; '). Fix the cause and run 'pulumi destroy' again."
    }
    if ($null -ne $registration) {
        Remove-ServicePrincipal -Identity $registration.Identity -Confirm:$false -ErrorAction Stop | Out-Null
        Add-Change "removed service principal $($registration.ObjectId) (app $($Recorded.appId)) from Exchange Online"
    }
}

<#
.SYNOPSIS
    Runs one step of the Exchange command: create/update (Sync) or delete (Remove).
.DESCRIPTION
    The inputs, one Exchange session, and the step; every stream but errors goes to the report (stdout is kept for
    the record). A step that throws changed nothing the record would lose (or is a delete, which keeps no output):
    it is reported here, then thrown on; the entry script exits 1 for it, so the provider keeps the previous record.
.PARAMETER Step
    Sync (create and update) or Remove (delete).
.OUTPUTS
    The new record for Sync; nothing for Remove.
.EXAMPLE
    $record = Invoke-ExchangeStep -Step Sync
#>
function Invoke-ExchangeStep {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][ValidateSet('Sync', 'Remove')][string] $Step)
    $result = @{ record = $null }
    try {
        & {
            $recorded = Read-RecordedState
            $desired = $null
            if ($Step -eq 'Sync') {
                $desired = Read-DesiredState
            }
            elseif ($null -eq $recorded) {
                Write-Report 'No recorded Exchange Online state: revoking what the configuration asked for.'
                $recorded = ConvertTo-RecordFromDesired -Desired (Read-DesiredState)
            }
            $module = Import-ExchangeModule
            Connect-MailAccessExchange -ModuleVersion $module.Version
            try {
                $organizationSmtpAuth = ($null -ne $recorded -and $null -ne $recorded['organization'] -and $recorded.organization.owned) -or ($null -ne $desired -and $desired.organizationSmtpAuth)
                $appRbac = ($null -ne $recorded -and -not (Test-AppRbacRecordEmpty -Record $recorded['rbac'])) -or ($null -ne $desired -and $desired.appRbac.wanted)
                Assert-SessionCmdlets -Step $Step -OrganizationSmtpAuth $organizationSmtpAuth -AppRbac $appRbac
                if ($Step -eq 'Sync') {
                    $result.record = Invoke-MailAccessSync -Desired $desired -Recorded $recorded
                }
                else {
                    Invoke-MailAccessRemoval -Recorded $recorded
                }
            }
            finally {
                Disconnect-MailAccessExchange
            }
        } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport
    }
    catch {
        Write-ReportSummary "error: $($_.Exception.Message)"
        # Only the entry scripts end the process: a function that exits would end the caller's session too.
        throw
    }
    return $result.record
}
