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
