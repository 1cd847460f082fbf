#Requires -Version 7.0
<#
    Exchange Online side of m365-mail-oauth, in Microsoft365DSC's Get / Test / Set shape.

    Every value comes from environment variables set by the Pulumi program (components/exchangeMailboxAccess.ts);
    this file is static and no value is ever turned into PowerShell source. Lists arrive as JSON, one
    M365_MAILBOX_* variable per mailbox, so a pull-request preview shows one line per mailbox that changes.

    stdout carries exactly one line, the state this run leaves behind (what the stack owns in Exchange), prefixed
    with the state marker. The command provider hands it back to the next update and to delete as
    PULUMI_COMMAND_STDOUT, which is how a removed mailbox or protocol is revoked and how destroy knows what to undo.
    Progress and the list of changes go to stderr. No secret is ever written to either.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$script:StateMarker = 'M365_MAIL_OAUTH_STATE='
$script:StateVersion = 1
$script:Changes = [System.Collections.Generic.List[string]]::new()

function Write-Report {
    param([Parameter(Mandatory)][string] $Message)
    [Console]::Error.WriteLine($Message)
}

function Add-Change {
    param([Parameter(Mandatory)][string] $Message)
    $script:Changes.Add($Message)
    Write-Report "changed: $Message"
}

function Get-Changes {
    return , $script:Changes.ToArray()
}

function Get-RequiredSetting {
    param([Parameter(Mandatory)][string] $Name)
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrWhiteSpace($value)) {
        throw "The environment variable $Name is not set. It is set by the Pulumi program; run this script through 'pulumi up', not by hand."
    }
    return $value
}

function Assert-ExchangeModule {
    $module = Get-Module -ListAvailable -Name ExchangeOnlineManagement | Sort-Object -Property Version -Descending | Select-Object -First 1
    if ($null -eq $module) {
        throw "The PowerShell module ExchangeOnlineManagement is not installed for this user. Install version 3.x with: pwsh -Command 'Install-Module ExchangeOnlineManagement -MinimumVersion 3.0.0 -Scope CurrentUser'"
    }
    if ($module.Version.Major -lt 3) {
        throw "ExchangeOnlineManagement $($module.Version) is installed, but version 3.x is required (REST cmdlets, New-ServicePrincipal -ObjectId). Update it with: pwsh -Command 'Update-Module ExchangeOnlineManagement'"
    }
    Import-Module -Name $module.Path -ErrorAction Stop
}

function Connect-MailAccessExchange {
    $organization = Get-RequiredSetting -Name 'M365_EXO_ORGANIZATION'
    $auth = Get-RequiredSetting -Name 'M365_EXO_AUTH'
    $connection = @{
        ShowBanner   = $false
        ShowProgress = $false
    }
    switch ($auth) {
        'interactive' {
            if ($env:M365_EXO_USER_PRINCIPAL_NAME) {
                $connection.UserPrincipalName = $env:M365_EXO_USER_PRINCIPAL_NAME
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
            # The password comes from secret stack config (Pulumi writes it to stdin) or from the environment
            # variable the deployer named; it is turned into a SecureString at once and never printed.
            $password = $null
            if ($env:M365_EXO_CERTIFICATE_PASSWORD_STDIN -eq 'true') {
                $password = [Console]::In.ReadToEnd().TrimEnd("`r", "`n")
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
    Write-Report "Connecting to Exchange Online ($organization, $auth)"
    try {
        Connect-ExchangeOnline @connection | Out-Null
    }
    catch {
        throw "Connect-ExchangeOnline failed for organization $organization with $auth sign-in: $($_.Exception.Message). Check m365-mail-oauth:exchange in the stack config and that the signing-in identity holds the Exchange Administrator role."
    }
}

function Disconnect-MailAccessExchange {
    try {
        Disconnect-ExchangeOnline -Confirm:$false | Out-Null
    }
    catch {
        Write-Report "Disconnect-ExchangeOnline: $($_.Exception.Message)"
    }
}

function Read-DesiredState {
    $mailboxes = [ordered]@{}
    $variables = [Environment]::GetEnvironmentVariables().GetEnumerator() |
        Where-Object { $_.Key -like 'M365_MAILBOX_*' } |
        Sort-Object -Property Key
    foreach ($variable in $variables) {
        $mailbox = $variable.Value | ConvertFrom-Json -AsHashtable
        $mailboxes[$mailbox.address.ToLowerInvariant()] = $mailbox
    }
    return @{
        appId                = Get-RequiredSetting -Name 'M365_APP_ID'
        servicePrincipalId   = Get-RequiredSetting -Name 'M365_SP_OBJECT_ID'
        displayName          = Get-RequiredSetting -Name 'M365_SP_DISPLAY_NAME'
        organizationSmtpAuth = ($env:M365_ORGANIZATION_SMTP_AUTH -eq 'true')
        mailboxes            = $mailboxes
    }
}

function Read-PreviousState {
    $stdout = $env:PULUMI_COMMAND_STDOUT
    if ([string]::IsNullOrEmpty($stdout)) {
        return $null
    }
    $line = $stdout -split "`r?`n" | Where-Object { $_.StartsWith($script:StateMarker) } | Select-Object -Last 1
    if ($null -eq $line) {
        return $null
    }
    $state = ConvertFrom-StateText -Text $line.Substring($script:StateMarker.Length) | ConvertFrom-Json -AsHashtable
    if ($state.version -ne $script:StateVersion) {
        throw "The recorded Exchange state has version $($state.version); this script reads version $($script:StateVersion)."
    }
    return $state
}

function Write-State {
    param([Parameter(Mandatory)][hashtable] $State)
    $State.version = $script:StateVersion
    [Console]::Out.WriteLine($script:StateMarker + (ConvertTo-StateText -Json ($State | ConvertTo-Json -Depth 8 -Compress)))
}

<#
    The state travels back in one environment variable (PULUMI_COMMAND_STDOUT), which Linux caps at 128 KiB and
    Windows at 32 Ki characters. Gzip and base64 keep a thousand mailboxes' records far below both.
#>
function ConvertTo-StateText {
    param([Parameter(Mandatory)][string] $Json)
    $buffer = [System.IO.MemoryStream]::new()
    $gzip = [System.IO.Compression.GZipStream]::new($buffer, [System.IO.Compression.CompressionLevel]::Optimal)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($Json)
    $gzip.Write($bytes, 0, $bytes.Length)
    $gzip.Dispose()
    return 'gz:' + [Convert]::ToBase64String($buffer.ToArray())
}

function ConvertFrom-StateText {
    param([Parameter(Mandatory)][string] $Text)
    if (-not $Text.StartsWith('gz:')) {
        return $Text
    }
    $compressed = [System.IO.MemoryStream]::new([Convert]::FromBase64String($Text.Substring(3)))
    $gzip = [System.IO.Compression.GZipStream]::new($compressed, [System.IO.Compression.CompressionMode]::Decompress)
    $reader = [System.IO.StreamReader]::new($gzip, [System.Text.Encoding]::UTF8)
    try {
        return $reader.ReadToEnd()
    }
    finally {
        $reader.Dispose()
    }
}

function Get-RegistrationTimeout {
    $seconds = 0
    if ([int]::TryParse($env:M365_EXO_REGISTRATION_TIMEOUT_SECONDS, [ref] $seconds) -and $seconds -gt 0) {
        return $seconds
    }
    return 900
}

# --- Service principal registration -------------------------------------------------------------------------

function Get-MailAccessServicePrincipal {
    param([Parameter(Mandatory)][string] $AppId)
    # Get-ServicePrincipal lists the apps registered in Exchange; there is one entry per app, so the list is short.
    return Get-ServicePrincipal | Where-Object { $_.AppId -eq $AppId } | Select-Object -First 1
}

function Set-MailAccessServicePrincipal {
    param(
        [Parameter(Mandatory)][string] $AppId,
        [Parameter(Mandatory)][string] $ObjectId,
        [Parameter(Mandatory)][string] $DisplayName
    )
    $existing = Get-MailAccessServicePrincipal -AppId $AppId
    if ($null -ne $existing) {
        if ($existing.ObjectId -eq $ObjectId) {
            return
        }
        # A registration left from an earlier enterprise application of the same app: it points at an object
        # that no longer exists, so it is replaced.
        Remove-ServicePrincipal -Identity $existing.Identity -Confirm:$false | Out-Null
        Add-Change "removed stale Exchange service principal $($existing.ObjectId) of app $AppId"
    }
    # Entra ID replicates a new service principal to Exchange Online with a delay: retry with backoff, up to a bound.
    $timeout = Get-RegistrationTimeout
    $deadline = (Get-Date).AddSeconds($timeout)
    $delay = 5
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName $DisplayName -ErrorAction Stop | Out-Null
            Add-Change "registered service principal $ObjectId (app $AppId) in Exchange Online"
            return
        }
        catch {
            $reason = $_.Exception.Message
            if ((Get-Date).AddSeconds($delay) -gt $deadline) {
                throw "New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId still failed after $attempt attempts in $timeout s: $reason. Entra ID may not have replicated the service principal to Exchange Online yet; run 'pulumi up' again in a few minutes."
            }
            Write-Report "Exchange Online does not accept service principal $ObjectId yet (attempt $attempt): $reason; retrying in $delay s"
            Start-Sleep -Seconds $delay
            $delay = [Math]::Min($delay * 2, 60)
        }
    }
}

function Remove-MailAccessServicePrincipal {
    param([Parameter(Mandatory)][string] $AppId)
    $existing = Get-MailAccessServicePrincipal -AppId $AppId
    if ($null -ne $existing) {
        Remove-ServicePrincipal -Identity $existing.Identity -Confirm:$false | Out-Null
        Add-Change "removed service principal $($existing.ObjectId) (app $AppId) from Exchange Online"
    }
}

# --- Mailbox access: Get / Test / Set -------------------------------------------------------------------------

function Test-NotFound {
    param([Parameter(Mandatory)] $ErrorRecord)
    return ($ErrorRecord.Exception.Message -match "couldn't be found|could not be found|ManagementObjectNotFound")
}

function Get-MailboxAccessState {
    param(
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Trustee
    )
    $fullAccess = @(
        Get-MailboxPermission -Identity $Address -User $Trustee -ErrorAction Stop |
            Where-Object { -not $_.Deny -and -not $_.IsInherited -and (@($_.AccessRights) -join ',') -match 'FullAccess' }
    ).Count -gt 0
    $sendAs = @(
        Get-RecipientPermission -Identity $Address -Trustee $Trustee -AccessRights SendAs -ErrorAction Stop |
            Where-Object { "$($_.AccessControlType)" -eq 'Allow' }
    ).Count -gt 0
    $cas = Get-CASMailbox -Identity $Address -ErrorAction Stop
    return @{
        fullAccess = $fullAccess
        sendAs     = $sendAs
        settings   = @{
            SmtpClientAuthenticationDisabled = $cas.SmtpClientAuthenticationDisabled
            ImapEnabled                      = $cas.ImapEnabled
            PopEnabled                       = $cas.PopEnabled
        }
    }
}

function Set-MailboxSetting {
    param(
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][ValidateSet('SmtpClientAuthenticationDisabled', 'ImapEnabled', 'PopEnabled')][string] $Name,
        [AllowNull()] $Value
    )
    switch ($Name) {
        'SmtpClientAuthenticationDisabled' { Set-CASMailbox -Identity $Address -SmtpClientAuthenticationDisabled $Value -Confirm:$false | Out-Null }
        'ImapEnabled' { Set-CASMailbox -Identity $Address -ImapEnabled $Value -Confirm:$false | Out-Null }
        'PopEnabled' { Set-CASMailbox -Identity $Address -PopEnabled $Value -Confirm:$false | Out-Null }
    }
}

function Grant-FullAccess {
    param([string] $Address, [string] $Trustee)
    # No auto-mapping: the app is not a person, and Outlook must not try to open the mailbox for anyone.
    Add-MailboxPermission -Identity $Address -User $Trustee -AccessRights FullAccess -AutoMapping $false -Confirm:$false | Out-Null
    Add-Change "granted FullAccess on $Address"
}

function Revoke-FullAccess {
    param([string] $Address, [string] $Trustee)
    Remove-MailboxPermission -Identity $Address -User $Trustee -AccessRights FullAccess -Confirm:$false | Out-Null
    Add-Change "revoked FullAccess on $Address"
}

function Grant-SendAs {
    param([string] $Address, [string] $Trustee)
    Add-RecipientPermission -Identity $Address -Trustee $Trustee -AccessRights SendAs -Confirm:$false | Out-Null
    Add-Change "granted SendAs on $Address"
}

function Revoke-SendAs {
    param([string] $Address, [string] $Trustee)
    Remove-RecipientPermission -Identity $Address -Trustee $Trustee -AccessRights SendAs -Confirm:$false | Out-Null
    Add-Change "revoked SendAs on $Address"
}

<#
    Brings one mailbox to the desired access and returns the record of what the stack now owns on it.

    Desired: the M365_MAILBOX_* object, or $null when the mailbox left the config (everything is revoked).
    Previous: the record the last run left, or $null. Grants are revoked only where the stack made them; a setting
    the stack changed keeps the value it had before ("before"), which is what is put back when it is no longer
    wanted, so a mailbox that already allowed IMAP before the stack came is left allowing it.
#>
function Sync-MailboxAccess {
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Previous,
        [Parameter(Mandatory)][string] $Trustee
    )
    try {
        $current = Get-MailboxAccessState -Address $Address -Trustee $Trustee
    }
    catch {
        if ($null -eq $Desired -and (Test-NotFound -ErrorRecord $_)) {
            Write-Report "mailbox $Address no longer exists; nothing to revoke there"
            return $null
        }
        throw
    }

    $record = @{ address = $Address; fullAccess = $false; sendAs = $false; before = @{} }
    $wantFullAccess = ($null -ne $Desired) -and [bool] $Desired.fullAccess
    $wantSendAs = ($null -ne $Desired) -and [bool] $Desired.sendAs
    $ownedFullAccess = ($null -ne $Previous) -and [bool] $Previous.fullAccess
    $ownedSendAs = ($null -ne $Previous) -and [bool] $Previous.sendAs

    if ($wantFullAccess) {
        if (-not $current.fullAccess) { Grant-FullAccess -Address $Address -Trustee $Trustee }
        $record.fullAccess = $true
    }
    elseif ($ownedFullAccess -and $current.fullAccess) {
        Revoke-FullAccess -Address $Address -Trustee $Trustee
    }

    if ($wantSendAs) {
        if (-not $current.sendAs) { Grant-SendAs -Address $Address -Trustee $Trustee }
        $record.sendAs = $true
    }
    elseif ($ownedSendAs -and $current.sendAs) {
        Revoke-SendAs -Address $Address -Trustee $Trustee
    }

    $targets = @{
        SmtpClientAuthenticationDisabled = @{ wanted = ($null -ne $Desired) -and [bool] $Desired.smtpClientAuth; value = $false }
        ImapEnabled                      = @{ wanted = ($null -ne $Desired) -and [bool] $Desired.imapEnabled; value = $true }
        PopEnabled                       = @{ wanted = ($null -ne $Desired) -and [bool] $Desired.popEnabled; value = $true }
    }
    $previousBefore = if ($null -ne $Previous -and $Previous.ContainsKey('before')) { $Previous.before } else { @{} }
    foreach ($name in @('SmtpClientAuthenticationDisabled', 'ImapEnabled', 'PopEnabled')) {
        $target = $targets[$name]
        $actual = $current.settings[$name]
        $owned = $previousBefore.ContainsKey($name)
        if ($target.wanted) {
            if ($owned) {
                $record.before[$name] = $previousBefore[$name]
            }
            if ($actual -ne $target.value) {
                if (-not $owned) {
                    $record.before[$name] = $actual
                }
                Set-MailboxSetting -Address $Address -Name $name -Value $target.value
                Add-Change "set $name to $($target.value) on $Address"
            }
        }
        elseif ($owned) {
            $restore = $previousBefore[$name]
            if ($actual -ne $restore) {
                Set-MailboxSetting -Address $Address -Name $name -Value $restore
                Add-Change "restored $name to $(if ($null -eq $restore) { 'the organization default' } else { $restore }) on $Address"
            }
        }
    }

    if (-not $record.fullAccess -and -not $record.sendAs -and $record.before.Count -eq 0) {
        return $null
    }
    return $record
}

function Sync-OrganizationSmtpAuth {
    param(
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Previous
    )
    $owned = ($null -ne $Previous) -and $Previous.ContainsKey('SmtpClientAuthenticationDisabled')
    if (-not $Wanted -and -not $owned) {
        return $null
    }
    $actual = (Get-TransportConfig).SmtpClientAuthenticationDisabled
    if ($Wanted) {
        $before = if ($owned) { $Previous.SmtpClientAuthenticationDisabled } else { $actual }
        if ($actual -ne $false) {
            Set-TransportConfig -SmtpClientAuthenticationDisabled $false -Confirm:$false | Out-Null
            Add-Change 'enabled SMTP AUTH for the whole organization'
        }
        elseif (-not $owned) {
            return $null
        }
        return @{ SmtpClientAuthenticationDisabled = $before }
    }
    $restore = [bool] $Previous.SmtpClientAuthenticationDisabled
    if ($actual -ne $restore) {
        Set-TransportConfig -SmtpClientAuthenticationDisabled $restore -Confirm:$false | Out-Null
        Add-Change "restored organization-wide SmtpClientAuthenticationDisabled to $restore"
    }
    return $null
}

<#
    Revokes the grants a previous service principal held, when the enterprise application was replaced and the
    new one takes over. The settings the stack changed stay recorded (they do not depend on the trustee).
#>
function Revoke-PreviousTrusteeGrants {
    param(
        [Parameter(Mandatory)][hashtable] $PreviousMailboxes,
        [Parameter(Mandatory)][string] $Trustee
    )
    foreach ($record in $PreviousMailboxes.Values) {
        $grantsOnly = @{ address = $record.address; fullAccess = $record.fullAccess; sendAs = $record.sendAs; before = @{} }
        try {
            [void] (Sync-MailboxAccess -Address $record.address -Desired $null -Previous $grantsOnly -Trustee $Trustee)
        }
        catch {
            # The old service principal may already be gone from the directory, and its grants with it.
            Write-Report "could not revoke the old service principal's grants on $($record.address): $($_.Exception.Message)"
        }
        $record.fullAccess = $false
        $record.sendAs = $false
    }
}

<#
    The whole reconciliation: desired state in, recorded state out. With no desired state (destroy) it revokes
    everything the previous state records and removes the service principal registration from Exchange.
#>
function Invoke-MailAccessSync {
    param(
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Previous
    )
    $previousMailboxes = if ($null -ne $Previous -and $null -ne $Previous.mailboxes) { $Previous.mailboxes } else { @{} }
    $previousTrustee = if ($null -ne $Previous) { $Previous.servicePrincipalId } else { $null }
    $trustee = if ($null -ne $Desired) { $Desired.servicePrincipalId } else { $previousTrustee }
    $failures = [System.Collections.Generic.List[string]]::new()

    if ($null -ne $Desired -and $null -ne $previousTrustee -and $previousTrustee -ne $Desired.servicePrincipalId) {
        Write-Report "the enterprise application changed from $previousTrustee to $($Desired.servicePrincipalId); moving its grants"
        Revoke-PreviousTrusteeGrants -PreviousMailboxes $previousMailboxes -Trustee $previousTrustee
    }
    if ($null -ne $Desired) {
        Set-MailAccessServicePrincipal -AppId $Desired.appId -ObjectId $Desired.servicePrincipalId -DisplayName $Desired.displayName
    }

    $state = @{ mailboxes = @{}; organization = $null }
    if ($null -ne $Desired) {
        $state.appId = $Desired.appId
        $state.servicePrincipalId = $Desired.servicePrincipalId
    }
    $keys = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal)
    if ($null -ne $Desired) { foreach ($key in $Desired.mailboxes.Keys) { [void] $keys.Add($key) } }
    foreach ($key in $previousMailboxes.Keys) { [void] $keys.Add($key) }

    foreach ($key in $keys) {
        $desiredMailbox = if ($null -ne $Desired -and $Desired.mailboxes.Contains($key)) { $Desired.mailboxes[$key] } else { $null }
        $previousMailbox = if ($previousMailboxes.ContainsKey($key)) { $previousMailboxes[$key] } else { $null }
        $address = if ($null -ne $desiredMailbox) { $desiredMailbox.address } else { $previousMailbox.address }
        try {
            $record = Sync-MailboxAccess -Address $address -Desired $desiredMailbox -Previous $previousMailbox -Trustee $trustee
            if ($null -ne $record) {
                $state.mailboxes[$key] = $record
            }
        }
        catch {
            # Every mailbox is tried; the run fails at the end, and Pulumi keeps the previous state so that
            # the next run starts from what is known to be owned.
            $failures.Add("${address}: $($_.Exception.Message)")
        }
    }

    $previousOrganization = if ($null -ne $Previous) { $Previous.organization } else { $null }
    $wantOrganization = ($null -ne $Desired) -and [bool] $Desired.organizationSmtpAuth
    $state.organization = Sync-OrganizationSmtpAuth -Wanted $wantOrganization -Previous $previousOrganization

    if ($failures.Count -gt 0) {
        throw "Exchange Online could not be brought to the configured state for $($failures.Count) mailbox(es):`n  " + ($failures -join "`n  ")
    }
    if ($null -eq $Desired -and $null -ne $Previous -and $Previous.appId) {
        Remove-MailAccessServicePrincipal -AppId $Previous.appId
    }
    return $state
}

$exported = @(
    'Assert-ExchangeModule', 'Connect-MailAccessExchange', 'Disconnect-MailAccessExchange', 'Read-DesiredState',
    'Read-PreviousState', 'Write-State', 'Invoke-MailAccessSync', 'Write-Report', 'Get-Changes'
)
Export-ModuleMember -Function $exported
