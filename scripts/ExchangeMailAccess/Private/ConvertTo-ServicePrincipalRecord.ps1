<#
    A service principal registration as the rest of the module reads it: Identity (the form -User and -Trustee take),
    ObjectId (the enterprise application; ServiceId in older module versions) and AppId.
#>
function ConvertTo-ServicePrincipalRecord {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowNull()][object] $InputObject)
    if ($null -eq $InputObject) { return $null }
    return @{
        Identity = [string] (Get-PropertyValue -InputObject $InputObject -Name 'Identity', 'ObjectId', 'ServiceId')
        ObjectId = [string] (Get-PropertyValue -InputObject $InputObject -Name 'ObjectId', 'ServiceId')
        AppId    = [string] (Get-PropertyValue -InputObject $InputObject -Name 'AppId')
    }
}
