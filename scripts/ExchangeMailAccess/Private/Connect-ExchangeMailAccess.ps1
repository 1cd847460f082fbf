function Connect-ExchangeMailAccess {
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
    # The cloud's Exchange Online environment (m365-mail-oauth:cloud); unset for Worldwide, the cmdlet's default.
    if ($env:M365_EXO_ENVIRONMENT_NAME) {
        $connection.ExchangeEnvironmentName = $env:M365_EXO_ENVIRONMENT_NAME
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
    $cloud = if ($env:M365_EXO_ENVIRONMENT_NAME) { ", $env:M365_EXO_ENVIRONMENT_NAME" } else { '' }
    Write-Report "Connecting to Exchange Online ($organization, $auth sign-in$cloud)"
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
