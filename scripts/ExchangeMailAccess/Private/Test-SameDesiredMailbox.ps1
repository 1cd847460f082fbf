function Test-SameDesiredMailbox {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Left, [AllowNull()][hashtable] $Right)
    if ($null -eq $Left -or $null -eq $Right) { return $false }
    foreach ($name in $script:DesiredMailboxFlags) {
        if ([bool] $Left[$name] -ne [bool] $Right[$name]) { return $false }
    }
    return $true
}
