<# Whether the app is authorised to send as the mailbox (Test-ServicePrincipalAuthorization -Resource, InScope). #>
function Test-AppRbacAuthorization {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][string] $Trustee,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Role
    )
    foreach ($row in @(Test-ServicePrincipalAuthorization -Identity $Trustee -Resource $Address -ErrorAction Stop)) {
        if ("$(Get-PropertyValue -InputObject $row -Name 'RoleName')" -eq $Role -and "$(Get-PropertyValue -InputObject $row -Name 'InScope')" -eq 'True') { return $true }
    }
    return $false
}
