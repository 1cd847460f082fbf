<#
    The command that installs a version this PowerShell can load: -MinimumVersion 3.0.0 alone would take 3.10 or
    later, which PowerShell 7.4 and 7.5 cannot load.
#>
function Get-ExchangeModuleInstallCommand {
    [CmdletBinding()]
    [OutputType([string])]
    param([version] $PowerShellVersion = $PSVersionTable.PSVersion)
    if ($PowerShellVersion -lt [version] '7.6') {
        return "pwsh -Command 'Install-Module ExchangeOnlineManagement -MinimumVersion 3.0.0 -MaximumVersion $script:ExchangeModuleNewestBefore76 -Scope CurrentUser'"
    }
    return "pwsh -Command 'Install-Module ExchangeOnlineManagement -MinimumVersion 3.0.0 -Scope CurrentUser'"
}
