<#
    Resolve: desired access + the previous record + what Exchange holds now -> the operations to run and the record
    they leave. Pure: no Exchange calls, no output, nothing read from outside; tested table-driven under pwsh.

    Each operation carries its effect on the record. The record Resolve returns is the one that holds if no
    operation runs; Invoke applies each operation's effect once that operation has succeeded (Complete-Operation),
    so a run that stops half-way still records exactly what it changed.

    Ownership rules:
      - a grant is revoked only if the stack made it (owns); a grant that was there before is left alone, also
        when the mailbox leaves the config;
      - a setting the stack changed remembers its earlier value (before) and gets it back when no longer wanted;
        a setting that already had the wanted value is not the stack's and is never touched.
#>

# The grants a mailbox record owns: its key in the record and what Exchange grants. GroupMember is membership of
# the stack's appRbac group (SMTP through RBAC for Applications).
$script:GrantRights = @(
    @{ key = 'fullAccess'; name = 'FullAccess' }
    @{ key = 'sendAs'; name = 'SendAs' }
    @{ key = 'groupMember'; name = 'GroupMember' }
)

function New-OwnedGrants {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $owns = @{}
    foreach ($right in $script:GrantRights) { $owns[$right.key] = $false }
    return $owns
}

<# A record's owns as this version reads it: grants an older record does not list were not made. #>
function Get-OwnedGrants {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowNull()][hashtable] $Record)
    $owns = New-OwnedGrants
    if ($null -ne $Record -and $null -ne $Record.owns) {
        foreach ($right in $script:GrantRights) { $owns[$right.key] = [bool] $Record.owns[$right.key] }
    }
    return $owns
}

function New-MailboxRecord {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Want
    )
    return @{ address = $Address; want = $Want; owns = (New-OwnedGrants); before = @{}; failed = $null }
}

function Test-SameDesiredMailbox {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Left, [AllowNull()][hashtable] $Right)
    if ($null -eq $Left -or $null -eq $Right) { return $false }
    foreach ($name in $script:DesiredMailboxFlags) {
        if ([bool] $Left[$name] -ne [bool] $Right[$name]) { return $false }
    }
    return $true
}

<#
    A mailbox whose desired access equals what the last successful run was asked for, for the same trustee, is
    trusted from the record: not read, not touched. This is what lets an update that changes one mailbox out of a
    thousand make the same few Exchange calls as it would among ten. exchange.reconcile: all turns it off.
#>
function Test-MailboxRecordTrusted {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][bool] $SameTrustee,
        [Parameter(Mandatory)][bool] $ReconcileAll
    )
    return (-not $ReconcileAll) -and $SameTrustee -and ($null -ne $Record) -and ($null -eq $Record.failed) -and
        (Test-SameDesiredMailbox -Left $Desired -Right $Record.want)
}

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

function Format-SettingValue {
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][Nullable[bool]] $Value)
    if ($null -eq $Value) { return 'the organization default ($null)' }
    return "$Value"
}

<#
    Desired: the mailbox's desired access, or $null when it left the config (or on destroy).
    Record: the previous record of the mailbox, or $null.
    Current: Get-MailboxAccess for Trustee (groupMember filled in from the appRbac group's members).
    Group: the appRbac group's name, for membership operations; empty when the stack has none.
#>
function Resolve-MailboxAccess {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Current,
        [Parameter(Mandatory)][string] $Trustee,
        [string] $Group = ''
    )
    $grants = [System.Collections.Generic.List[hashtable]]::new()
    $revokes = [System.Collections.Generic.List[hashtable]]::new()
    $blocked = [System.Collections.Generic.List[string]]::new()
    $next = New-MailboxRecord -Address $Address -Want $Desired
    $previousOwns = Get-OwnedGrants -Record $Record
    $previousBefore = if ($null -ne $Record -and $null -ne $Record.before) { $Record.before } else { @{} }
    $denied = if ($Current.ContainsKey('denied')) { @($Current.denied) } else { @() }

    foreach ($right in $script:GrantRights) {
        $key = $right.key
        $wanted = ($null -ne $Desired) -and [bool] $Desired[$key]
        $owned = [bool] $previousOwns[$key]
        $present = [bool] $Current[$key]
        if ($wanted -and $denied -contains $right.name) {
            # An explicit Deny wins over any Allow: granting would report access the app does not have. The Deny
            # is not the stack's to remove.
            $blocked.Add("an explicit Deny $($right.name) entry for the app's service principal $Trustee blocks access; the stack does not remove a Deny it did not make: remove it with Remove-$(if ($right.name -eq 'SendAs') { 'RecipientPermission' } else { 'MailboxPermission' }) -Identity $Address -$(if ($right.name -eq 'SendAs') { 'Trustee' } else { 'User' }) $Trustee -AccessRights $($right.name) -Deny, if it is not wanted")
            $next.owns[$key] = $owned -and $present
        }
        elseif ($wanted) {
            if ($present) {
                $next.owns[$key] = $owned
            }
            else {
                $grants.Add(@{
                        kind = 'Grant'; right = $right.name; address = $Address; trustee = $Trustee; group = $Group; ignoreNotFound = $false
                        effect = @{ owns = $key; value = $true }; description = $(if ($key -eq 'groupMember') { "added $Address to the group $Group" } else { "granted $($right.name) on $Address" })
                    })
                if ($key -eq 'groupMember') {
                    $grants.Add(@{
                            kind = 'CheckRbac'; address = $Address; trustee = $Trustee; group = $Group; effect = @{}
                            description = "checked with Test-ServicePrincipalAuthorization that the app may send as $Address"
                        })
                }
            }
        }
        elseif ($owned -and $present) {
            $next.owns[$key] = $true
            $revokes.Add(@{
                    kind = 'Revoke'; right = $right.name; address = $Address; trustee = $Trustee; group = $Group; ignoreNotFound = $true
                    effect = @{ owns = $key; value = $false }; description = $(if ($key -eq 'groupMember') { "removed $Address from the group $Group" } else { "revoked $($right.name) on $Address" })
                })
        }
    }
    # Grants before revokes: a mailbox that changes how it is authorised (SendAs to the appRbac group, or back)
    # gains the new access before it loses the old one, so a failure in between leaves it with both, never none.
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    $operations.AddRange($grants)
    $operations.AddRange($revokes)

    $targets = Get-MailboxSettingTargets -Desired $Desired
    foreach ($name in $targets.Keys) {
        $target = $targets[$name]
        $actual = $Current.settings[$name]
        $owned = $previousBefore.ContainsKey($name)
        if ($target.wanted) {
            if ($owned) { $next.before[$name] = $previousBefore[$name] }
            if ($target.accepted -notcontains $actual) {
                $operations.Add(@{
                        kind = 'SetMailbox'; address = $Address; setting = $name; value = $target.value
                        effect = @{ before = $name; value = $(if ($owned) { $previousBefore[$name] } else { $actual }) }
                        description = "set $name to $(Format-SettingValue -Value $target.value) on $Address"
                    })
            }
        }
        elseif ($owned) {
            $restore = $previousBefore[$name]
            if ($actual -ne $restore) {
                $next.before[$name] = $restore
                $operations.Add(@{
                        kind = 'SetMailbox'; address = $Address; setting = $name; value = $restore
                        effect = @{ release = $name }; description = "restored $name to $(Format-SettingValue -Value $restore) on $Address"
                    })
            }
        }
    }
    return @{ record = $next; operations = $operations.ToArray(); blocked = $blocked.ToArray() }
}

<#
    The enterprise application was replaced (a new service principal object for the app, or a new app): the grants
    the stack made for the old one are revoked from it before its Exchange registration goes, and the records
    forget them, so the mailbox pass that follows makes them again for the new one. An old principal that is
    already gone from the directory took its grants with it, hence ignoreNotFound.
#>
function Resolve-TrusteeMove {
    [CmdletBinding()]
    [OutputType([hashtable[]])]
    param(
        [Parameter(Mandatory)][hashtable] $Records,
        [Parameter(Mandatory)][string] $PreviousTrustee
    )
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($key in @($Records.Keys | Sort-Object)) {
        $record = $Records[$key]
        foreach ($right in $script:GrantRights) {
            # Group membership belongs to the mailbox, not to the principal: it stays for the new one.
            if ($right.key -eq 'groupMember') { continue }
            if ($record.owns[$right.key]) {
                $operations.Add(@{
                        kind = 'Revoke'; right = $right.name; address = $record.address; trustee = $PreviousTrustee; ignoreNotFound = $true
                        key = $key; effect = @{ owns = $right.key; value = $false }
                        description = "revoked $($right.name) of the replaced enterprise application on $($record.address)"
                    })
            }
        }
    }
    return , $operations.ToArray()
}

<# Applies one succeeded operation's effect to the record it belongs to. #>
function Complete-Operation {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Operation
    )
    $effect = $Operation.effect
    if ($effect.ContainsKey('owns')) { $Record.owns[$effect.owns] = $effect.value }
    if ($effect.ContainsKey('before')) { $Record.before[$effect.before] = $effect.value }
    if ($effect.ContainsKey('release')) { $Record.before.Remove($effect.release) }
    if ($effect.ContainsKey('rbac')) {
        $Record.owns[$effect.rbac] = $effect.value
        if ($effect.ContainsKey('app')) { $Record.app = $effect.app }
    }
    if ($effect.ContainsKey('organization')) {
        $Record.owned = $effect.organization.owned
        $Record.before = $effect.organization.before
    }
}

<# Whether the record holds nothing the stack must undo: no grant it made, no setting it changed. #>
function Test-RecordOwnsNothing {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][hashtable] $Record)
    $owns = Get-OwnedGrants -Record $Record
    return @($owns.Values | Where-Object { $_ }).Count -eq 0 -and $Record.before.Count -eq 0
}

<# A record that holds nothing the stack owns and was not asked for anything can be forgotten. #>

function Test-RecordEmpty {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][hashtable] $Record)
    return ($null -eq $Record.want) -and ($null -eq $Record.failed) -and (Test-RecordOwnsNothing -Record $Record)
}

<#
    Organisation-wide SMTP AUTH (Set-TransportConfig): enabled while wanted, put back to its earlier value after.
    CurrentDisabled is $null when the setting was not read (trusted from the record).
#>
function Resolve-OrganizationSmtpAuth {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Record,
        [AllowNull()][Nullable[bool]] $CurrentDisabled
    )
    $owned = ($null -ne $Record) -and [bool] $Record.owned
    $before = if ($owned) { $Record.before } else { $null }
    $next = @{ want = $Wanted; owned = $owned; before = $before }
    $operations = @()
    if ($Wanted -and $CurrentDisabled -ne $false) {
        $operations = @(@{
                kind = 'SetOrganization'; value = $false; description = 'enabled SMTP AUTH for the whole organization'
                effect = @{ organization = @{ owned = $true; before = $(if ($owned) { $before } else { [bool] $CurrentDisabled }) } }
            })
    }
    elseif (-not $Wanted -and $owned) {
        if ($CurrentDisabled -ne [bool] $before) {
            $operations = @(@{
                    kind = 'SetOrganization'; value = [bool] $before; description = "restored organization-wide SmtpClientAuthenticationDisabled to $before"
                    effect = @{ organization = @{ owned = $false; before = $null } }
                })
        }
        else {
            $next.owned = $false
            $next.before = $null
        }
    }
    return @{ record = $next; operations = $operations }
}

<#
    The management scope's recipient filter for the group's members, as Microsoft's procedure writes it. The DN is
    data inside an OPATH string literal (single quotes doubled), never PowerShell source.
#>
function Format-MemberOfGroupFilter {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $DistinguishedName)
    return "MemberOfGroup -eq '$($DistinguishedName -replace "'", "''")'"
}

<#
    SMTP through RBAC for Applications: the stack's mail-enabled security group, the management scope on its
    members and the 'Application SMTP.SendAsApp' assignment to the app, from Microsoft's "Configure SMTP
    onboarding to App RBAC". Desired: wanted, names, app (the service principal's ObjectId, which -App takes).
    Record: the previous rbac record or $null. Current: Get-AppRbacObjects, or $null when not read (trusted).

    Ownership as for mailboxes: an object of the stack's name that the record does not say the stack made is not
    the stack's; it is never changed or removed, and the run reports it. Creation goes group, scope, assignment;
    removal the reverse, each only if owned. A role assignment for another app (the enterprise application was
    replaced) is replaced.
#>
function Resolve-AppRbac {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Current
    )
    $owns = @{ group = $false; scope = $false; assignment = $false }
    if ($null -ne $Record -and $null -ne $Record.owns) { foreach ($key in @($owns.Keys)) { $owns[$key] = [bool] $Record.owns[$key] } }
    $names = $Desired.names
    $recordedNames = if ($null -ne $Record -and $null -ne $Record.names) { $Record.names } else { $names }
    $next = @{ want = $Desired.wanted; names = $names; app = $(if ($null -ne $Record) { $Record.app } else { $null }); groupDn = $(if ($null -ne $Record) { $Record.groupDn } else { $null }); owns = $owns.Clone() }
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    $conflicts = [System.Collections.Generic.List[string]]::new()
    $wanted = [bool] $Desired.wanted
    $group = $Current.group
    $groupDn = if ($null -ne $group) { $group.dn } else { $null }

    if ($wanted) {
        if ($null -eq $group) {
            $operations.Add(@{ kind = 'NewGroup'; name = $names.group; effect = @{ rbac = 'group'; value = $true }; description = "created the mail-enabled security group $($names.group) for SMTP through RBAC" })
            $next.owns.group = $false
        }
        elseif (-not $owns.group) {
            $conflicts.Add("a group named $($names.group) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
        }
        else { $next.groupDn = $groupDn }
        if ($conflicts.Count -eq 0) {
            $scope = $Current.scope
            if ($null -eq $scope) {
                $operations.Add(@{ kind = 'NewScope'; name = $names.scope; group = $names.group; effect = @{ rbac = 'scope'; value = $true }; description = "created the management scope $($names.scope) on the members of $($names.group)" })
            }
            elseif (-not $owns.scope) {
                $conflicts.Add("a management scope named $($names.scope) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
            }
            elseif ($null -ne $groupDn -and $scope.filter -ne (Format-MemberOfGroupFilter -DistinguishedName $groupDn)) {
                $conflicts.Add("the management scope $($names.scope) no longer filters on MemberOfGroup of $($names.group) (its filter is $($scope.filter)); it was changed outside the stack")
            }
        }
        if ($conflicts.Count -eq 0) {
            $assignment = $Current.assignment
            if ($null -ne $assignment -and -not $owns.assignment) {
                $conflicts.Add("a management role assignment named $($names.assignment) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
            }
            else {
                if ($null -ne $assignment -and $assignment.app -ne $Desired.trustee -and $assignment.app -ne $Desired.app) {
                    $operations.Add(@{ kind = 'RemoveAssignment'; name = $names.assignment; effect = @{ rbac = 'assignment'; value = $false }; description = "removed the role assignment $($names.assignment) of the replaced enterprise application" })
                    $assignment = $null
                }
                if ($null -eq $assignment) {
                    $operations.Add(@{ kind = 'NewAssignment'; name = $names.assignment; scope = $names.scope; app = $Desired.app; effect = @{ rbac = 'assignment'; value = $true; app = $Desired.app }; description = "assigned 'Application SMTP.SendAsApp' to the app, scoped to $($names.scope)" })
                }
                else { $next.app = $Desired.app }
            }
        }
    }
    else {
        # Removal, in reverse order of creation; the members left in the mailbox pass before this.
        if ($owns.assignment -and $null -ne $Current.assignment) {
            $operations.Add(@{ kind = 'RemoveAssignment'; name = $recordedNames.assignment; effect = @{ rbac = 'assignment'; value = $false }; description = "removed the role assignment $($recordedNames.assignment)" })
        }
        elseif ($owns.assignment) { $next.owns.assignment = $false }
        if ($owns.scope -and $null -ne $Current.scope) {
            $operations.Add(@{ kind = 'RemoveScope'; name = $recordedNames.scope; effect = @{ rbac = 'scope'; value = $false }; description = "removed the management scope $($recordedNames.scope)" })
        }
        elseif ($owns.scope) { $next.owns.scope = $false }
        if ($owns.group -and $null -ne $Current.group) {
            $operations.Add(@{ kind = 'RemoveGroup'; name = $recordedNames.group; effect = @{ rbac = 'group'; value = $false }; description = "removed the group $($recordedNames.group)" })
        }
        elseif ($owns.group) { $next.owns.group = $false }
        $next.names = $recordedNames
    }
    return @{ record = $next; operations = $operations.ToArray(); conflicts = $conflicts.ToArray() }
}

<# Whether an rbac record says the stack made all three: group, scope and role assignment. #>
function Test-AppRbacRecordComplete {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Record)
    return ($null -ne $Record) -and ($null -ne $Record.owns) -and [bool] $Record.owns.group -and [bool] $Record.owns.scope -and [bool] $Record.owns.assignment
}

<# Whether an rbac record holds nothing the stack made. #>
function Test-AppRbacRecordEmpty {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Record)
    return ($null -eq $Record) -or ($null -eq $Record.owns) -or (-not $Record.owns.group -and -not $Record.owns.scope -and -not $Record.owns.assignment)
}
