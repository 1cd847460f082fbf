<#
    Imports and returns the newest installed ExchangeOnlineManagement 3.x that this PowerShell can load. A newer
    module may need a newer PowerShell (3.10 and later need PowerShell 7.6), so an older installed version is the
    fallback.
#>
function Import-ExchangeModule {
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSModuleInfo])]
    param()
    $installed = @(Get-Module -ListAvailable -Name ExchangeOnlineManagement | Sort-Object -Property Version -Descending)
    $reasons = [System.Collections.Generic.List[string]]::new()
    if ($installed.Count -eq 0) {
        # Get-Module -ListAvailable leaves out a version whose manifest wants a newer PowerShell: look for it on disk.
        foreach ($folder in ($env:PSModulePath -split [System.IO.Path]::PathSeparator)) {
            $moduleFolder = Join-Path -Path $folder -ChildPath 'ExchangeOnlineManagement'
            if ($folder -and (Test-Path -LiteralPath $moduleFolder -PathType Container)) {
                foreach ($version in @(Get-ChildItem -LiteralPath $moduleFolder -Directory)) {
                    $reasons.Add("$($version.Name) in ${moduleFolder}: its manifest does not load on PowerShell $($PSVersionTable.PSVersion) (3.10 and later need 7.6)")
                }
            }
        }
        if ($reasons.Count -eq 0) {
            throw "The PowerShell module ExchangeOnlineManagement is not installed for this user. Install version 3.x with: $(Get-ExchangeModuleInstallCommand)"
        }
    }
    foreach ($module in $installed) {
        if ($module.Version.Major -lt 3) {
            $reasons.Add("$($module.Version): version 3.x is required (REST cmdlets, New-ServicePrincipal -ObjectId)")
            continue
        }
        $needs = $module.PowerShellVersion
        if ($module.Version -ge $script:ExchangeModuleNeeds76 -and ($null -eq $needs -or $needs -lt [version] '7.6')) { $needs = [version] '7.6' }
        if ($null -ne $needs -and $needs -gt $PSVersionTable.PSVersion) {
            $reasons.Add("$($module.Version): needs PowerShell $needs, this is $($PSVersionTable.PSVersion)")
            continue
        }
        try {
            Import-Module -Name $module.Path -ErrorAction Stop
            Write-Report "Using ExchangeOnlineManagement $($module.Version) on PowerShell $($PSVersionTable.PSVersion)"
            return $module
        }
        catch {
            $reasons.Add("$($module.Version): $($_.Exception.Message)")
        }
    }
    throw "No installed ExchangeOnlineManagement can be loaded by PowerShell $($PSVersionTable.PSVersion): $($reasons -join '; '). Install a 3.x version this PowerShell supports: $(Get-ExchangeModuleInstallCommand), or update PowerShell to 7.6."
}
