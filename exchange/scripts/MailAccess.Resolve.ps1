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

# The two grants a mailbox record owns: its key in the record and the Exchange access right.
$script:GrantRights = @(@{ key = 'fullAccess'; name = 'FullAccess' }, @{ key = 'sendAs'; name = 'SendAs' })

function New-MailboxRecord {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Want
    )
    return @{ address = $Address; want = $Want; owns = @{ fullAccess = $false; sendAs = $false }; before = @{}; failed = $null }
}

function Test-SameDesiredMailbox {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Left, [AllowNull()][hashtable] $Right)
    if ($null -eq $Left -or $null -eq $Right) { return $false }
    foreach ($name in @('fullAccess', 'sendAs', 'smtpClientAuth', 'imapEnabled', 'popEnabled')) {
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
    return [ordered]@{
        SmtpClientAuthenticationDisabled = @{ wanted = $wanted -and $Desired.smtpClientAuth; value = $false }
        ImapEnabled                      = @{ wanted = $wanted -and $Desired.imapEnabled; value = $true }
        PopEnabled                       = @{ wanted = $wanted -and $Desired.popEnabled; value = $true }
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
    Current: Get-MailboxAccess for Trustee.
#>
function Resolve-MailboxAccess {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Current,
        [Parameter(Mandatory)][string] $Trustee
    )
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    $next = New-MailboxRecord -Address $Address -Want $Desired
    $previousOwns = if ($null -ne $Record) { $Record.owns } else { @{ fullAccess = $false; sendAs = $false } }
    $previousBefore = if ($null -ne $Record -and $null -ne $Record.before) { $Record.before } else { @{} }

    foreach ($right in $script:GrantRights) {
        $key = $right.key
        $wanted = ($null -ne $Desired) -and [bool] $Desired[$key]
        $owned = [bool] $previousOwns[$key]
        $present = [bool] $Current[$key]
        if ($wanted) {
            if ($present) {
                $next.owns[$key] = $owned
            }
            else {
                $operations.Add(@{
                        kind = 'Grant'; right = $right.name; address = $Address; trustee = $Trustee; ignoreNotFound = $false
                        effect = @{ owns = $key; value = $true }; description = "granted $($right.name) on $Address"
                    })
            }
        }
        elseif ($owned -and $present) {
            $next.owns[$key] = $true
            $operations.Add(@{
                    kind = 'Revoke'; right = $right.name; address = $Address; trustee = $Trustee; ignoreNotFound = $true
                    effect = @{ owns = $key; value = $false }; description = "revoked $($right.name) on $Address"
                })
        }
    }

    $targets = Get-MailboxSettingTargets -Desired $Desired
    foreach ($name in $targets.Keys) {
        $target = $targets[$name]
        $actual = $Current.settings[$name]
        $owned = $previousBefore.ContainsKey($name)
        if ($target.wanted) {
            if ($owned) { $next.before[$name] = $previousBefore[$name] }
            if ($actual -ne $target.value) {
                $operations.Add(@{
                        kind = 'SetMailbox'; address = $Address; setting = $name; value = $target.value
                        effect = @{ before = $name; value = $(if ($owned) { $previousBefore[$name] } else { $actual }) }
                        description = "set $name to $($target.value) on $Address"
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
    return @{ record = $next; operations = $operations.ToArray() }
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
    if ($effect.ContainsKey('organization')) {
        $Record.owned = $effect.organization.owned
        $Record.before = $effect.organization.before
    }
}

<# A record that holds nothing the stack owns and was not asked for anything can be forgotten. #>
<# Whether the record holds nothing the stack must undo: no grant it made, no setting it changed. #>
function Test-RecordOwnsNothing {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][hashtable] $Record)
    return -not $Record.owns.fullAccess -and -not $Record.owns.sendAs -and $Record.before.Count -eq 0
}

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
