<#
    Organisation-wide SMTP AUTH (Set-TransportConfig). Phase 'Enable' runs before the mailbox pass and only ever
    turns it on; phase 'Restore' runs after it, and only when no mailbox failed, and puts back an earlier value.
    So no mailbox is without SMTP AUTH at any point: enabling comes before any mailbox loses its own setting, and
    the organisation's goes back only once every mailbox has its own.
#>
function Sync-OrganizationSmtpAuth {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][bool] $ReconcileAll,
        [Parameter(Mandatory)][ValidateSet('Enable', 'Restore')][string] $Phase
    )
    if (-not $ReconcileAll -and $null -ne $Record -and [bool] $Record.want -eq $Wanted) {
        $State.organization = $Record
        return
    }
    if (-not $Wanted -and ($null -eq $Record -or -not $Record.owned)) {
        $State.organization = $null
        return
    }
    if (($Phase -eq 'Enable') -ne $Wanted) {
        $State.organization = $Record
        return
    }
    try {
        $resolved = Resolve-OrganizationSmtpAuth -Wanted $Wanted -Record $Record -CurrentDisabled (Get-OrganizationSmtpAuthDisabled)
        foreach ($operation in $resolved.operations) {
            Invoke-ExchangeMailAccessOperation -Operation $operation
            Complete-Operation -Record $resolved.record -Operation $operation
        }
        $State.organization = $resolved.record
    }
    catch {
        $State.organization = $Record
        Add-Failure -State $State -Address 'organization' -Message "organization-wide SMTP AUTH: $($_.Exception.Message)"
    }
}
