function Get-RequiredSetting {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $Name)
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrWhiteSpace($value)) {
        throw "The environment variable $Name is not set. It is set by the Pulumi program; run this script through 'pulumi up', not by hand."
    }
    return $value
}
