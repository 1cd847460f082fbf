<#
    One Exchange Online session per run: the module, the sign-in, and the check that it reached the stack's tenant.
#>

# ExchangeOnlineManagement 3.10 and later need PowerShell 7.6; 3.9.2 is the newest for 7.4 and 7.5.
$script:ExchangeModuleNeeds76 = [version] '3.10.0'
$script:ExchangeModuleNewestBefore76 = '3.9.2'
# Connect-ExchangeOnline -DisableWAM exists from 3.7.2 on.
$script:DisableWamSince = [version] '3.7.2'

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

function Connect-MailAccessExchange {
    [CmdletBinding()]
    param([Parameter(Mandatory)][version] $ModuleVersion)
    $organization = Get-RequiredSetting -Name 'M365_EXO_ORGANIZATION'
    $auth = Get-RequiredSetting -Name 'M365_EXO_AUTH'
    $tenantId = Get-RequiredSetting -Name 'M365_TENANT_ID'
    $connection = @{
        ShowBanner   = $false
        ShowProgress = $false
        ErrorAction  = 'Stop'
    }
    switch ($auth) {
        'interactive' {
            if ($env:M365_EXO_USER_PRINCIPAL_NAME) {
                $connection.UserPrincipalName = $env:M365_EXO_USER_PRINCIPAL_NAME
            }
            if ($env:M365_EXO_DISABLE_WAM -eq 'true') {
                if ($ModuleVersion -lt $script:DisableWamSince) {
                    throw "exchange.disableWam is true, but Connect-ExchangeOnline -DisableWAM needs ExchangeOnlineManagement $script:DisableWamSince or later and this is $ModuleVersion. Nothing was changed. Update the module ($(Get-ExchangeModuleInstallCommand)) or set exchange.disableWam to false."
                }
                $connection.DisableWAM = $true
            }
        }
        'certificate' {
            $certificatePath = Get-RequiredSetting -Name 'M365_EXO_CERTIFICATE_PATH'
            if (-not (Test-Path -LiteralPath $certificatePath -PathType Leaf)) {
                throw "The certificate file given by exchange.certificatePath does not exist: $certificatePath"
            }
            $connection.Organization = $organization
            $connection.AppId = Get-RequiredSetting -Name 'M365_EXO_APP_ID'
            $connection.CertificateFilePath = $certificatePath
            # From secret stack config (Pulumi writes it to stdin) or from the environment variable the deployer
            # named; it becomes a SecureString at once and is never printed.
            $password = $null
            if ($env:M365_EXO_CERTIFICATE_PASSWORD_STDIN -eq 'true') {
                $password = Read-StandardInputSecret
            }
            if ([string]::IsNullOrEmpty($password) -and $env:M365_EXO_CERTIFICATE_PASSWORD_ENV) {
                $password = [Environment]::GetEnvironmentVariable($env:M365_EXO_CERTIFICATE_PASSWORD_ENV)
            }
            if (-not [string]::IsNullOrEmpty($password)) {
                $connection.CertificatePassword = ConvertTo-SecureString -String $password -AsPlainText -Force
            }
        }
        'managedIdentity' {
            $connection.Organization = $organization
            $connection.ManagedIdentity = $true
            if ($env:M365_EXO_MANAGED_IDENTITY_ACCOUNT_ID) {
                $connection.ManagedIdentityAccountId = $env:M365_EXO_MANAGED_IDENTITY_ACCOUNT_ID
            }
        }
        default {
            throw "exchange.auth '$auth' is not one of interactive, certificate, managedIdentity."
        }
    }
    Write-Report "Connecting to Exchange Online ($organization, $auth sign-in)"
    try {
        Connect-ExchangeOnline @connection | Out-Null
    }
    catch {
        throw "Connect-ExchangeOnline failed for organization $organization with $auth sign-in: $($_.Exception.Message). Check m365-mail-oauth:exchange in the stack config and that the signing-in identity holds the Exchange Administrator role."
    }
    # An interactive sign-in takes whichever account the admin picks; nothing may change in another tenant.
    $information = @(Get-ConnectionInformation -ErrorAction Stop) | Select-Object -Last 1
    $connectedTenant = [string] (Get-PropertyValue -InputObject $information -Name 'TenantID', 'TenantId')
    if ($connectedTenant -ne $tenantId) {
        throw "Signed in to Exchange Online of tenant '$connectedTenant', but the stack's tenant (azuread:tenantId) is '$tenantId'. Nothing was changed. Sign in with an administrator of tenant $tenantId (exchange.userPrincipalName suggests the account)."
    }
}

function Disconnect-MailAccessExchange {
    [CmdletBinding()]
    param()
    try {
        Disconnect-ExchangeOnline -Confirm:$false -ErrorAction Stop | Out-Null
    }
    catch {
        Write-Report "Disconnect-ExchangeOnline: $($_.Exception.Message)"
    }
}
