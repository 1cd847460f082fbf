<#
    What a run is asked to do (the environment the Pulumi program sets) and what it leaves behind (the record).

    Every value arrives as data in an environment variable, never as script text; lists are JSON. The record is
    printed on stdout as one line and comes back to the next update and to delete as PULUMI_COMMAND_STDOUT.

    Record, version 2:
      appId, servicePrincipalId    the app and enterprise application the grants were made for
      trustee                      the Identity of the app's Exchange service principal (-User / -Trustee)
      reconcileRun                 the exchange.reconcileRun label of the run
      mailboxes.<address>          want: the desired access the record was made for (trusted while unchanged)
                                   owns: fullAccess / sendAs grants the stack made (only these are ever revoked)
                                   before: value each setting had before the stack changed it (put back later)
                                   failed: why the last run could not finish this mailbox (read again next run)
      organization                 want, owned, before: the organisation-wide SMTP AUTH setting, likewise
      rbac                         want, names { group, scope, assignment }, app, groupDn, owns { group, scope,
                                   assignment }: SMTP through RBAC for Applications (mailboxes own groupMember)
      failures                     what the run could not do; the program fails the deployment while any remain
#>

$script:StateMarker = 'M365_MAIL_OAUTH_STATE='
$script:StateVersion = 2
$script:MailboxSettingNames = @('SmtpClientAuthenticationDisabled', 'ImapEnabled', 'PopEnabled')
# What one M365_MAILBOX_* variable says about a mailbox: the keys of plan/mailboxSettings.ts, in its order (a test
# keeps the two lists equal).
$script:DesiredMailboxFlags = @('fullAccess', 'sendAs', 'groupMember', 'smtpClientAuth', 'smtpClientAuthOrganization', 'imapEnabled', 'popEnabled')

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

function ConvertTo-DesiredMailbox {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $Value)
    $mailbox = @{ address = [string] $Value.address }
    foreach ($flag in $script:DesiredMailboxFlags) { $mailbox[$flag] = [bool] $Value[$flag] }
    return $mailbox
}

<# The desired access, one M365_MAILBOX_* variable per mailbox, keyed by the address in lower case. #>
function Read-DesiredState {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $mailboxes = @{}
    foreach ($variable in [Environment]::GetEnvironmentVariables().GetEnumerator()) {
        if (-not ([string] $variable.Key).StartsWith('M365_MAILBOX_', [StringComparison]::Ordinal)) { continue }
        $mailbox = ConvertTo-DesiredMailbox -Value ($variable.Value | ConvertFrom-Json -AsHashtable)
        $mailboxes[$mailbox.address.ToLowerInvariant()] = $mailbox
    }
    return @{
        tenantId             = Get-RequiredSetting -Name 'M365_TENANT_ID'
        appId                = Get-RequiredSetting -Name 'M365_APP_ID'
        servicePrincipalId   = Get-RequiredSetting -Name 'M365_SP_OBJECT_ID'
        displayName          = Get-RequiredSetting -Name 'M365_SP_DISPLAY_NAME'
        organizationSmtpAuth = ($env:M365_ORGANIZATION_SMTP_AUTH -eq 'true')
        reconcileAll         = ($env:M365_EXO_RECONCILE -eq 'all')
        reconcileRun         = [string] $env:M365_EXO_RECONCILE_RUN
        disableWam           = ($env:M365_EXO_DISABLE_WAM -eq 'true')
        appRbac              = Read-AppRbacSettings
        mailboxes            = $mailboxes
    }
}

<#
    SMTP through RBAC for Applications (exchange.smtpAuthorization appRbac): whether the stack wants its group,
    scope and role assignment, and their names. The names come with either mode, so a stack that leaves appRbac
    still knows what it made (the record keeps them too).
#>
function Read-AppRbacSettings {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    return @{
        wanted = ($env:M365_EXO_SMTP_AUTHORIZATION -eq 'appRbac')
        names  = @{ group = [string] $env:M365_EXO_RBAC_GROUP; scope = [string] $env:M365_EXO_RBAC_SCOPE; assignment = [string] $env:M365_EXO_RBAC_ASSIGNMENT }
    }
}

function ConvertTo-StateText {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $Json)
    # Gzip and base64: a thousand mailboxes' records stay far below the 128 KiB one environment variable may hold.
    $buffer = [System.IO.MemoryStream]::new()
    $gzip = [System.IO.Compression.GZipStream]::new($buffer, [System.IO.Compression.CompressionLevel]::Optimal)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($Json)
    $gzip.Write($bytes, 0, $bytes.Length)
    $gzip.Dispose()
    return 'gz:' + [Convert]::ToBase64String($buffer.ToArray())
}

function ConvertFrom-StateText {
    [CmdletBinding()]
    [OutputType([string])]
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

<# A version-1 record (before ownership was tracked apart from the desired access) read as version 2. #>
function ConvertFrom-RecordVersion1 {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $State)
    $mailboxes = @{}
    foreach ($key in @($State.mailboxes.Keys)) {
        $old = $State.mailboxes[$key]
        $mailboxes[$key] = @{
            address = $old.address
            want    = $null
            owns    = @{ fullAccess = [bool] $old.fullAccess; sendAs = [bool] $old.sendAs }
            before  = if ($null -ne $old.before) { $old.before } else { @{} }
            failed  = $null
        }
    }
    $organization = $null
    if ($null -ne $State.organization -and $State.organization.ContainsKey('SmtpClientAuthenticationDisabled')) {
        $organization = @{ want = $true; owned = $true; before = [bool] $State.organization.SmtpClientAuthenticationDisabled }
    }
    return @{
        version = $script:StateVersion; appId = $State.appId; servicePrincipalId = $State.servicePrincipalId; trustee = $null
        reconcileRun = ''; mailboxes = $mailboxes; organization = $organization; failures = @()
    }
}

<# The record the previous run left, from PULUMI_COMMAND_STDOUT; $null when there is none. #>
function Read-RecordedState {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $stdout = $env:PULUMI_COMMAND_STDOUT
    if ([string]::IsNullOrEmpty($stdout)) {
        return $null
    }
    $line = $stdout -split "`r?`n" | Where-Object { $_.StartsWith($script:StateMarker) } | Select-Object -Last 1
    if ($null -eq $line) {
        return $null
    }
    $state = ConvertFrom-StateText -Text $line.Substring($script:StateMarker.Length) | ConvertFrom-Json -AsHashtable
    switch ($state.version) {
        1 { return ConvertFrom-RecordVersion1 -State $state }
        2 { return $state }
        default { throw "The recorded Exchange state has version $($state.version); this script reads versions 1 and 2." }
    }
}

<#
.SYNOPSIS
    Prints the record of what the stack owns as the one line on stdout.
.DESCRIPTION
    M365_MAIL_OAUTH_STATE=gz:<base64 of gzip of JSON>; the provider hands it back as PULUMI_COMMAND_STDOUT.
.PARAMETER State
    The record Invoke-ExchangeStep returned.
#>
function Write-RecordedState {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $State)
    $State.version = $script:StateVersion
    [Console]::Out.WriteLine($script:StateMarker + (ConvertTo-StateText -Json ($State | ConvertTo-Json -Depth 8 -Compress)))
}

<#
    Reads a secret from standard input as UTF-8 whatever the platform's console encoding (Windows' console input
    is an OEM code page, which would turn a non-ASCII password into a different one).
#>
function Read-StandardInputSecret {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $reader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), [System.Text.UTF8Encoding]::new($false))
    try {
        return $reader.ReadToEnd().TrimEnd("`r", "`n")
    }
    finally {
        $reader.Dispose()
    }
}
