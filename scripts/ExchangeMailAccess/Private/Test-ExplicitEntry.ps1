<# Whether a permission entry Exchange returned is one of the trustee's own, not inherited. #>
function Test-ExplicitEntry {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][object] $Entry)
    return -not [bool] (Get-PropertyValue -InputObject $Entry -Name 'IsInherited')
}
