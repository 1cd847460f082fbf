function Get-PositiveNumberSetting {
    [CmdletBinding()]
    [OutputType([double])]
    param([Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][double] $Default)
    $value = 0.0
    if ([double]::TryParse([string] [Environment]::GetEnvironmentVariable($Name), [System.Globalization.NumberStyles]::Float, [cultureinfo]::InvariantCulture, [ref] $value) -and $value -gt 0) {
        return $value
    }
    return $Default
}
