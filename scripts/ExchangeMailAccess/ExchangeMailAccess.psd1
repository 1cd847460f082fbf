# The Exchange Online side of m365-mail-oauth, as a module: the entry scripts (scripts/Sync-/Remove-ExchangeMailAccess.ps1)
# import this manifest; only the functions they call (Public/) are exported.
@{
    RootModule           = 'ExchangeMailAccess.psm1'
    ModuleVersion        = '2.0.0'
    GUID                 = '3f6c1a2e-8d4b-4c51-9a37-6b1e0d9c2f41'
    Author               = 'm365-mail-oauth'
    Description          = 'Grants an app FullAccess, SendAs, SMTP AUTH, IMAP/POP or SMTP through RBAC for Applications on Exchange Online mailboxes, recording what it owns so it can undo exactly that.'
    PowerShellVersion    = '7.0'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @('Invoke-ExchangeStep', 'Write-ReportSummary', 'Get-ChangeCount', 'Write-RecordedState', 'Invoke-ExchangeReading')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
