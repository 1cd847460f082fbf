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
