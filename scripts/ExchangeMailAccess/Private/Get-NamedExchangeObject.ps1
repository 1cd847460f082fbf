<# One group, scope or role assignment by its exact name, or $null: an answer of another name is not it. #>
function Get-NamedExchangeObject {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][ValidateSet('Group', 'Scope', 'Assignment')][string] $Kind,
        [Parameter(Mandatory)][string] $Name
    )
    try {
        $answer = switch ($Kind) {
            'Group' { @(Get-DistributionGroup -Identity $Name -ErrorAction Stop) }
            'Scope' { @(Get-ManagementScope -Identity $Name -ErrorAction Stop) }
            'Assignment' { @(Get-ManagementRoleAssignment -Identity $Name -ErrorAction Stop) }
        }
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
    return @($answer | Where-Object { "$(Get-PropertyValue -InputObject $_ -Name 'Name')" -eq $Name }) | Select-Object -First 1
}
