<#
    Registers the app's enterprise application in Exchange Online (New-ServicePrincipal -AppId -ObjectId). Called
    once: it is not documented to validate the IDs and does not show Entra ID's replication lag (see
    Invoke-WithReplicationRetry, where that lag shows).
#>
function Register-ExchangeServicePrincipal {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [Parameter(Mandatory)][string] $ObjectId,
        [Parameter(Mandatory)][string] $DisplayName
    )
    $created = New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName $DisplayName -ErrorAction Stop
    Add-Change "registered the app's enterprise application $ObjectId in Exchange Online (New-ServicePrincipal)"
    return $created
}
