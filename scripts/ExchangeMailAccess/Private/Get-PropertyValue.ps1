<# A property of an object Exchange returned, or $null: strict mode must not turn a renamed property into a crash. #>
function Get-PropertyValue {
    [CmdletBinding()]
    param([AllowNull()][object] $InputObject, [Parameter(Mandatory)][string[]] $Name)
    if ($null -eq $InputObject) { return $null }
    foreach ($candidate in $Name) {
        $property = $InputObject.PSObject.Properties[$candidate]
        if ($null -ne $property -and $null -ne $property.Value) { return $property.Value }
    }
    return $null
}
