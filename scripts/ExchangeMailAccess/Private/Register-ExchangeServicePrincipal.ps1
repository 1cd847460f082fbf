<#
    Registers the app's enterprise application in Exchange Online (New-ServicePrincipal -AppId -ObjectId). Entra ID
    replicates a new service principal to Exchange Online with a delay, and New-ServicePrincipal can meet it: it then
    answers that the -ObjectId "couldn't be found" (ManagementObjectNotFoundException). That answer is retried
    within the same bound as the grants' (Invoke-WithReplicationRetry, the one retry policy), so the first
    `pulumi up` after the app is created goes through; past the bound it fails saying to run `pulumi up` again.
#>
function Register-ExchangeServicePrincipal {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [Parameter(Mandatory)][string] $ObjectId,
        [Parameter(Mandatory)][string] $DisplayName
    )
    $operation = @{
        kind = 'Register'; appId = $AppId; objectId = $ObjectId; displayName = $DisplayName; target = $ObjectId
        description = "registered the app's enterprise application $ObjectId in Exchange Online (New-ServicePrincipal)"
    }
    $created = Invoke-WithReplicationRetry -Operation $operation -Principal @($ObjectId, $AppId)
    Add-Change $operation.description
    return $created
}
