function Format-SettingValue {
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][Nullable[bool]] $Value)
    if ($null -eq $Value) { return 'the organization default ($null)' }
    return "$Value"
}
