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

function Invoke-MailAccessOperation {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Operation)
    $op = $Operation
    try {
        switch ($op.kind) {
            'Grant' {
                if ($op.right -eq 'FullAccess') {
                    # No auto-mapping: the app is not a person, and Outlook must not open the mailbox for anyone.
                    Add-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -AutoMapping $false -Confirm:$false -ErrorAction Stop | Out-Null
                }
                else {
                    Add-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null
                }
            }
            'Revoke' {
                if ($op.right -eq 'FullAccess') {
                    Remove-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -Confirm:$false -ErrorAction Stop | Out-Null
                }
                else {
                    Remove-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null
                }
            }
            'SetMailbox' {
                switch ($op.setting) {
                    'SmtpClientAuthenticationDisabled' { Set-CASMailbox -Identity $op.address -SmtpClientAuthenticationDisabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null }
                    'ImapEnabled' { Set-CASMailbox -Identity $op.address -ImapEnabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null }
                    'PopEnabled' { Set-CASMailbox -Identity $op.address -PopEnabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null }
                    default { throw "unknown mailbox setting $($op.setting)" }
                }
            }
            'SetOrganization' {
                Set-TransportConfig -SmtpClientAuthenticationDisabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null
            }
            default { throw "unknown operation $($op.kind)" }
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
    New-ServicePrincipal -AppId -ObjectId: Entra ID replicates a new service principal to Exchange Online with a
    delay, during which Exchange answers "couldn't be found". Only that is retried, with backoff up to a bound;
    any other error (permissions, a conflicting registration) stops at once.
#>
function Register-ExchangeServicePrincipal {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [Parameter(Mandatory)][string] $ObjectId,
        [Parameter(Mandatory)][string] $DisplayName
    )
    $timeout = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_TIMEOUT_SECONDS' -Default 900
    $delay = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_DELAY_SECONDS' -Default 5
    $deadline = [DateTime]::UtcNow.AddSeconds($timeout)
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            $created = New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName $DisplayName -ErrorAction Stop
            Add-Change "registered service principal $ObjectId (app $AppId) in Exchange Online"
            return $created
        }
        catch {
            if (-not (Test-NotFoundError -ErrorRecord $_)) { throw }
            $reason = $_.Exception.Message
            if ([DateTime]::UtcNow.AddSeconds($delay) -gt $deadline) {
                throw "New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId still failed after $attempt attempts in $timeout s: $reason. Entra ID has not replicated the service principal to Exchange Online yet; run 'pulumi up' again in a few minutes."
            }
            Write-Report "Exchange Online does not know service principal $ObjectId yet (attempt $attempt): $reason; retrying in $delay s"
            Start-Sleep -Milliseconds ([int] ($delay * 1000))
            $delay = [Math]::Min($delay * 2, 60)
        }
    }
}

<#
    Makes sure the app's enterprise application is registered in Exchange Online and returns its Identity, the
    form Microsoft documents for -User and -Trustee. A registration left by an earlier enterprise application of
    the same app (or by the previous app) loses its grants first, then goes.
#>
function Set-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [Parameter(Mandatory)][hashtable] $State,
        [AllowNull()][hashtable] $Recorded
    )
    $existing = Get-ExchangeServicePrincipal -Identity $Desired.appId
    $stale = [System.Collections.Generic.List[string]]::new()
    if ($null -ne $existing -and $existing.ObjectId -ne $Desired.servicePrincipalId) {
        $stale.Add([string] $existing.Identity)
    }
    if ($null -ne $Recorded -and $Recorded.trustee -and $Recorded.servicePrincipalId -ne $Desired.servicePrincipalId -and -not $stale.Contains($Recorded.trustee)) {
        $stale.Add([string] $Recorded.trustee)
    }
    foreach ($previousTrustee in $stale) {
        Write-Report "the enterprise application changed (Exchange service principal $previousTrustee is not $($Desired.servicePrincipalId)): moving its grants"
        foreach ($operation in (Resolve-TrusteeMove -Records $State.mailboxes -PreviousTrustee $previousTrustee)) {
            Invoke-MailAccessOperation -Operation $operation
            Complete-Operation -Record $State.mailboxes[$operation.key] -Operation $operation
        }
        try {
            Remove-ServicePrincipal -Identity $previousTrustee -Confirm:$false -ErrorAction Stop | Out-Null
            Add-Change "removed the replaced enterprise application's Exchange service principal $previousTrustee"
        }
        catch {
            if (-not (Test-NotFoundError -ErrorRecord $_)) { throw }
        }
    }
    if ($null -ne $existing -and $existing.ObjectId -eq $Desired.servicePrincipalId) {
        return [string] $existing.Identity
    }
    $created = ConvertTo-ServicePrincipalRecord -InputObject (Register-ExchangeServicePrincipal -AppId $Desired.appId -ObjectId $Desired.servicePrincipalId -DisplayName $Desired.displayName)
    if ($null -ne $created -and $created.Identity) {
        return $created.Identity
    }
    $registered = Get-ExchangeServicePrincipal -Identity $Desired.appId
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

<# A mailbox that could not be read keeps the record it had (what the stack owns there), marked failed. #>
function Set-MailboxUnread {
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
    try {
        $current = Get-MailboxAccess -Address $address -Trustee $Trustee
    }
    catch {
        Set-MailboxUnread -State $State -Key $Key -Record $Record -Address $address -Message $_.Exception.Message
        return
    }
    if ($null -eq $current) {
        if ($null -ne $Desired) {
            Set-MailboxUnread -State $State -Key $Key -Record $Record -Address $address -Message "the mailbox couldn't be found in Exchange Online; check the address in m365-mail-oauth:mailboxes"
        }
        else {
            Write-Report "mailbox $address no longer exists; nothing to revoke there"
        }
        return
    }
    $resolved = Resolve-MailboxAccess -Address $address -Desired $Desired -Record $Record -Current $current -Trustee $Trustee
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
    if (-not (Test-RecordEmpty -Record $next)) {
        $State.mailboxes[$Key] = $next
    }
}

function Sync-OrganizationSmtpAuth {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][bool] $ReconcileAll
    )
    if (-not $ReconcileAll -and $null -ne $Record -and [bool] $Record.want -eq $Wanted) {
        $State.organization = $Record
        return
    }
    if (-not $Wanted -and ($null -eq $Record -or -not $Record.owned)) {
        $State.organization = $null
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
    Create and update: brings Exchange Online to the desired access and returns the new record. Failures of single
    mailboxes do not throw: they are in the record's failures (with everything that did change), because
    @pulumi/command keeps a run's stdout only when it exits 0, and a lost record would leave changes nobody undoes.
#>
function Invoke-MailAccessSync {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Recorded
    )
    $recordedMailboxes = if ($null -ne $Recorded -and $null -ne $Recorded.mailboxes) { $Recorded.mailboxes } else { @{} }
    $state = @{
        appId = $Desired.appId; servicePrincipalId = $Desired.servicePrincipalId; trustee = $null
        reconcileRun = $Desired.reconcileRun; mailboxes = @{}; organization = $null; failures = @()
    }
    foreach ($key in $recordedMailboxes.Keys) { $state.mailboxes[$key] = $recordedMailboxes[$key] }

    $trustee = Set-ExchangeServicePrincipal -Desired $Desired -State $state -Recorded $Recorded
    $state.trustee = $trustee
    $sameTrustee = ($null -ne $Recorded) -and ($Recorded.trustee -eq $trustee) -and ($Recorded.servicePrincipalId -eq $Desired.servicePrincipalId)
    $reconcileAll = $Desired.reconcileAll -or (($null -ne $Recorded) -and ([string] $Recorded.reconcileRun -ne $Desired.reconcileRun))
    if ($reconcileAll) { Write-Report 'Reading every mailbox (exchange.reconcile or a new exchange.reconcileRun).' }

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
        $state.mailboxes.Remove($key)
        if ($null -eq $desiredMailbox -and (Test-RecordOwnsNothing -Record $record)) {
            continue
        }
        Sync-OneMailbox -State $state -Key $key -Desired $desiredMailbox -Record $record -Trustee $trustee
    }
    if ($trusted -gt 0) { Write-Report "$trusted mailbox(es) unchanged since the last run: trusted from the record, not read." }

    $recordedOrganization = if ($null -ne $Recorded) { $Recorded.organization } else { $null }
    if ($state.failures.Count -gt 0) {
        # Organisation-wide SMTP AUTH is left as it is until every mailbox is done; its record stays as it was,
        # so a later run still knows what to put back.
        $state.organization = $recordedOrganization
        if ($Desired.organizationSmtpAuth -ne [bool] ($null -ne $recordedOrganization -and $recordedOrganization.want)) {
            Write-Report 'organization-wide SMTP AUTH not changed because a mailbox failed'
        }
    }
    else {
        Sync-OrganizationSmtpAuth -State $state -Wanted $Desired.organizationSmtpAuth -Record $recordedOrganization -ReconcileAll $reconcileAll
    }
    return $state
}

<#
    The record destroy works from when the command never recorded one (its first run failed before printing it):
    whatever the environment of that run asked for, granted to the stack's own app, is the stack's.
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
    return @{ appId = $Desired.appId; servicePrincipalId = $Desired.servicePrincipalId; trustee = $null; mailboxes = $mailboxes; organization = $null }
}

<#
    Delete (destroy, or the command leaving the stack): revokes every grant the record lists, puts back every
    setting the stack changed, removes the app's registration from Exchange Online. Throws if anything failed:
    delete keeps no output, and running it again is safe (it reads before it revokes).
#>
function Invoke-MailAccessRemoval {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Recorded)
    $state = @{ mailboxes = @{}; organization = $null; failures = @() }
    $registration = Get-ExchangeServicePrincipal -Identity $Recorded.appId
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
    if ($null -ne $Recorded.organization -and $Recorded.organization.owned) {
        Sync-OrganizationSmtpAuth -State $state -Wanted $false -Record $Recorded.organization -ReconcileAll $true
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
    One step of the command, as both entry scripts run it: the inputs, one Exchange session, and the step; every
    stream but errors goes to the report (stdout is kept for the record). A step that throws changed nothing the
    record would lose (or is a delete, which keeps no output): it is reported and the process exits 1, so the provider
    keeps the previous record. Returns the new record for Sync, nothing for Remove.
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
            Import-ExchangeModule
            Connect-MailAccessExchange
            try {
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
        exit 1
    }
    return $result.record
}
