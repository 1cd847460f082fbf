<#
    Create and update: brings Exchange Online to the desired access and returns the new record. Failures of single
    mailboxes do not throw: they are in the record's failures (with everything that did change), because
    @pulumi/command keeps a run's stdout only when it exits 0, and a lost record would leave changes nobody undoes.

    Order: the registration; what only adds access (organisation-wide SMTP AUTH on, the appRbac group, scope and
    role assignment); the mailboxes, each gaining its new access before losing its old; then, only if no mailbox
    failed, what takes access away (organisation-wide SMTP AUTH restored, the appRbac objects removed).
#>
function Invoke-ExchangeMailAccessSync {
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
        $adopted = ($null -ne $desiredMailbox) -and (@($Desired['adoptedGrants']) -contains $key)
        # An adopted mailbox is read until the record owns what it wants: its grants may be there to take over.
        $adoptionPending = $adopted -and -not (Test-AdoptionComplete -Desired $desiredMailbox -Record $record)
        if ($null -ne $desiredMailbox -and -not $adoptionPending -and (Test-MailboxRecordTrusted -Desired $desiredMailbox -Record $record -SameTrustee $sameTrustee -ReconcileAll $reconcileAll)) {
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
        Sync-OneMailbox -State $state -Key $key -Desired $desiredMailbox -Record $record -Trustee $trustee -Adopted $adopted
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
