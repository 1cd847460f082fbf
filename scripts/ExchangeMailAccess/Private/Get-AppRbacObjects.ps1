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
