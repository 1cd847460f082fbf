#Requires -Version 7.0
<#
    The Exchange Online side of m365-mail-oauth, in Microsoft365DSC's Get / Test / Set shape made sharper, packaged
    as dsccommunity modules are: this manifest's module, one function per file, Public/ (exported: what the entry
    scripts call) and Private/ (reached by the Pester tests with InModuleScope).

      Get        Get-MailboxAccess, Get-ExchangeServicePrincipal, Get-AppRbac*: reads what Exchange holds now
      Resolve    Resolve-MailboxAccess, Resolve-OrganizationSmtpAuth, Resolve-AppRbac: desired + recorded +
                 current -> operations + new record (pure)
      Invoke     Invoke-ExchangeMailAccessSync / -Removal: runs the operations, records each one that succeeded
      State      Read-DesiredState, Read-RecordedState, Write-RecordedState: the environment in, the record out
      Connection Import-ExchangeModule, Connect-ExchangeMailAccess: the module, the sign-in, the tenant check
      Report     Write-Report, Write-ReportSummary: the bounded report on stderr

    Every value comes from environment variables set by the Pulumi program
    (components/exchangeMailboxAccess/exchangeEnvironment.ts); these files are static and no value is ever turned
    into PowerShell source. The module's data (below) is the one place for each of its facts.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

<#
    The human report of a run, on stderr, bounded.

    @pulumi/command hands a run's stderr back to the next update and to delete as one environment variable
    (PULUMI_COMMAND_STDERR), and Linux refuses to start a process whose single variable exceeds 128 KiB: an
    unbounded report would lock every later update and destroy. So detail lines share a budget of a few KiB;
    what does not fit is counted, and the closing summary is always written.
#>

$script:ReportBudget = 4096
$script:ReportUsed = 0
$script:ReportSuppressed = 0
$script:ChangeCount = 0

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

<#
    One Exchange Online session per run: the module, the sign-in, and the check that it reached the stack's tenant.
#>

# ExchangeOnlineManagement 3.10 and later need PowerShell 7.6; 3.9.2 is the newest for 7.4 and 7.5.
$script:ExchangeModuleNeeds76 = [version] '3.10.0'
$script:ExchangeModuleNewestBefore76 = '3.9.2'
# Connect-ExchangeOnline -DisableWAM exists from 3.7.2 on.
$script:DisableWamSince = [version] '3.7.2'

<#
    Get: reads what Exchange Online holds now. Nothing here changes anything.

    Every Exchange cmdlet is called with -ErrorAction Stop. The entry scripts' $ErrorActionPreference = 'Stop'
    would reach the module's errors too (`pwsh -File` runs a script in the global scope, and a module function
    falls back to the global preference), but only while nothing in between sets another preference; on the call
    itself the behaviour is fixed whoever imports these functions.
#>

<#
    Resolve: desired access + the previous record + what Exchange holds now -> the operations to run and the record
    they leave. Pure: no Exchange calls, no output, nothing read from outside; tested table-driven under pwsh.

    Each operation carries its effect on the record. The record Resolve returns is the one that holds if no
    operation runs; Invoke applies each operation's effect once that operation has succeeded (Complete-Operation),
    so a run that stops half-way still records exactly what it changed.

    Ownership rules:
      - a grant is revoked only if the stack made it (owns); a grant that was there before is left alone, also
        when the mailbox leaves the config;
      - a setting the stack changed remembers its earlier value (before) and gets it back when no longer wanted;
        a setting that already had the wanted value is not the stack's and is never touched.
#>

# The grants a mailbox record owns: its key in the record and what Exchange grants. GroupMember is membership of
# the stack's appRbac group (SMTP through RBAC for Applications).
$script:GrantRights = @(
    @{ key = 'fullAccess'; name = 'FullAccess' }
    @{ key = 'sendAs'; name = 'SendAs' }
    @{ key = 'groupMember'; name = 'GroupMember' }
)

<#
    Invoke: runs what Resolve decided, one operation at a time, and reports it. An operation that fails stops its
    mailbox (the rest of that mailbox's operations are not attempted), is recorded as a failure naming the mailbox,
    and the other mailboxes go on. Nothing is reported as done unless Exchange accepted it.
#>

# The one role Microsoft supports for SMTP through RBAC for Applications.
$script:AppRbacRole = 'Application SMTP.SendAsApp'

# One function per file. What is public is listed once, in the manifest (ExchangeMailAccess.psd1).
foreach ($folder in @('Private', 'Public')) {
    foreach ($file in @(Get-ChildItem -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath $folder) -Filter '*.ps1' | Sort-Object -Property Name)) {
        . $file.FullName
    }
}
