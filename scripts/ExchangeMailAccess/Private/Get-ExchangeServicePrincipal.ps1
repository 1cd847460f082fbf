<#
    The app's service principal registration in Exchange Online, or $null when there is none.

    Microsoft's Get-ServicePrincipal page cautions that a non-existent value for -Identity returns *all*
    registrations, so every answer is filtered on the AppId (and on the Identity when one is asked for): another
    app's registration is never taken for the stack's. More than one registration for the app is an error that an
    administrator resolves; nothing is changed then.
#>
function Get-ExchangeServicePrincipal {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $AppId,
        [string] $Identity
    )
    $lookup = if ($Identity) { $Identity } else { $AppId }
    try {
        $answer = @(Get-ServicePrincipal -Identity $lookup -ErrorAction Stop)
    }
    catch {
        if (Test-NotFoundError -ErrorRecord $_) { return $null }
        throw
    }
    $matching = @(
        foreach ($item in $answer) {
            $principal = ConvertTo-ServicePrincipalRecord -InputObject $item
            if ($null -eq $principal -or $principal.AppId -ne $AppId) { continue }
            if ($Identity -and $principal.Identity -ne $Identity -and $principal.ObjectId -ne $Identity) { continue }
            $principal
        }
    )
    if ($matching.Count -gt 1) {
        throw "Exchange Online holds $($matching.Count) service principal registrations for app ${AppId} ($(@($matching | ForEach-Object { "Identity $($_.Identity), ObjectId $($_.ObjectId)" }) -join '; ')). Nothing was changed. Keep the one whose ObjectId is the enterprise application's object ID and remove the others with Remove-ServicePrincipal, then run 'pulumi up' again."
    }
    if ($matching.Count -eq 0) { return $null }
    return $matching[0]
}
