function New-OwnedGrants {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $owns = @{}
    foreach ($right in $script:GrantRights) { $owns[$right.key] = $false }
    return $owns
}
