<#
    Makes sure the app's enterprise application is registered in Exchange Online and returns its Identity, the
    form Microsoft documents for -User and -Trustee. A registration left by an earlier enterprise application of
    the same app (or by the stack's previous app) loses its grants first, then goes. Only registrations whose
    AppId is the stack's (now or in the record) are ever moved or removed.
#>
function Set-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [Parameter(Mandatory)][hashtable] $State,
        [AllowNull()][hashtable] $Recorded
    )
    $existing = Get-ExchangeServicePrincipal -AppId $Desired.appId
    $stale = [System.Collections.Generic.List[hashtable]]::new()
    if ($null -ne $existing -and $existing.ObjectId -ne $Desired.servicePrincipalId) {
        $stale.Add(@{ identity = [string] $existing.Identity; registered = $true })
    }
    if ($null -ne $Recorded -and $Recorded.trustee -and $Recorded.servicePrincipalId -ne $Desired.servicePrincipalId -and @($stale | Where-Object { $_.identity -eq $Recorded.trustee }).Count -eq 0) {
        $recordedApp = if ($Recorded.appId) { [string] $Recorded.appId } else { [string] $Desired.appId }
        $previous = Get-ExchangeServicePrincipal -AppId $recordedApp -Identity ([string] $Recorded.trustee)
        # Not found under the recorded app: gone, or not the stack's. Its recorded grants are revoked (a grant to
        # a principal Exchange no longer knows answers "not found", which is fine); the registration is not touched.
        $stale.Add(@{ identity = [string] $Recorded.trustee; registered = ($null -ne $previous) })
    }
    foreach ($previous in $stale) {
        Write-Report "the enterprise application changed (Exchange service principal $($previous.identity) is not $($Desired.servicePrincipalId)): moving its grants"
        foreach ($operation in (Resolve-TrusteeMove -Records $State.mailboxes -PreviousTrustee $previous.identity)) {
            Invoke-ExchangeMailAccessOperation -Operation $operation
            Complete-Operation -Record $State.mailboxes[$operation.key] -Operation $operation
        }
        if ($previous.registered) {
            Remove-ServicePrincipal -Identity $previous.identity -Confirm:$false -ErrorAction Stop | Out-Null
            Add-Change "removed the replaced enterprise application's Exchange service principal $($previous.identity)"
        }
    }
    if ($null -ne $existing -and $existing.ObjectId -eq $Desired.servicePrincipalId) {
        return [string] $existing.Identity
    }
    $created = ConvertTo-ServicePrincipalRecord -InputObject (Register-ExchangeServicePrincipal -AppId $Desired.appId -ObjectId $Desired.servicePrincipalId -DisplayName $Desired.displayName)
    if ($null -ne $created -and $created.Identity -and $created.AppId -eq $Desired.appId) {
        return $created.Identity
    }
    $registered = Get-ExchangeServicePrincipal -AppId $Desired.appId
    if ($null -eq $registered -or -not $registered.Identity) {
        throw "New-ServicePrincipal succeeded, but Exchange Online returns no registration for app $($Desired.appId)."
    }
    return $registered.Identity
}
