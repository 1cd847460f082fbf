<# A record's owns as this version reads it: grants an older record does not list were not made. #>
function Get-OwnedGrants {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowNull()][hashtable] $Record)
    $owns = New-OwnedGrants
    if ($null -ne $Record -and $null -ne $Record.owns) {
        foreach ($right in $script:GrantRights) { $owns[$right.key] = [bool] $Record.owns[$right.key] }
    }
    return $owns
}
