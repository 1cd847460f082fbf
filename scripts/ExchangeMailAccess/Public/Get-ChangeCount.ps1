<#
.SYNOPSIS
    How many changes this run made in Exchange Online.
.OUTPUTS
    System.Int32
#>
function Get-ChangeCount {
    [CmdletBinding()]
    [OutputType([int])]
    param()
    return $script:ChangeCount
}
