#Requires -Version 7.0
<#
    The Exchange Online side of m365-mail-oauth, in Microsoft365DSC's Get / Test / Set shape made sharper:
      MailAccess.Get.ps1        Get: reads one mailbox, the organisation setting, the service principal
      MailAccess.Resolve.ps1    Resolve: desired + recorded + current -> operations + new record (pure)
      MailAccess.Invoke.ps1     Invoke: runs the operations, records each one that succeeded, reports
      MailAccess.State.ps1      the desired state from the environment, the record on stdout
      MailAccess.Connection.ps1 the module, the sign-in and the tenant check
      MailAccess.Report.ps1     the bounded report on stderr

    Every value comes from environment variables set by the Pulumi program (components/exchangeMailboxAccess/exchangeEnvironment.ts);
    these files are static and no value is ever turned into PowerShell source.
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.Report.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.State.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.Connection.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.Get.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.Resolve.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'MailAccess.Invoke.ps1')

# What is public is listed once, in the manifest (ExchangeMailAccess.psd1): the functions the entry scripts call.
# Everything else is private; the Pester tests reach it with InModuleScope.
