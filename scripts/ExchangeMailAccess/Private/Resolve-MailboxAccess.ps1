<#
    Desired: the mailbox's desired access, or $null when it left the config (or on destroy).
    Record: the previous record of the mailbox, or $null.
    Current: Get-MailboxAccess for Trustee (groupMember filled in from the appRbac group's members).
    Group: the appRbac group's name, for membership operations; empty when the stack has none.
    Adopted: exchange.adoptedGrants names the mailbox: a wanted FullAccess or SendAs the trustee already holds
    becomes the stack's (npm run adopt -- --take-ownership), so a later destroy revokes it.
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
        [string] $Group = '',
        [bool] $Adopted = $false
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
                # Group membership is never adopted: the group is the stack's own (appRbac).
                $next.owns[$key] = $owned -or ($Adopted -and $key -ne 'groupMember')
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
