<#
    Delete (destroy, or the command leaving the stack): revokes every grant the record lists, puts back every
    setting the stack changed, removes the appRbac objects the stack made and the app's registration from
    Exchange Online. Throws if anything failed: delete keeps no output, and running it again is safe (it reads
    before it revokes). Only the stack's app's registration is removed: Get-ExchangeServicePrincipal filters on
    the AppId, since an Identity that matches nothing returns every registration.
#>
function Invoke-ExchangeMailAccessRemoval {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Recorded)
    $recordedRbac = $Recorded['rbac']
    $state = @{ mailboxes = @{}; organization = $null; rbac = $recordedRbac; failures = @(); run = @{ group = $null; groupMembers = $null } }
    if ($null -ne $recordedRbac -and $null -ne $recordedRbac.owns -and $recordedRbac.owns.group) { $state.run.group = [string] $recordedRbac.names.group }
    $registration = Get-ExchangeServicePrincipal -AppId $Recorded.appId
    $trustee = if ($Recorded.trustee) { [string] $Recorded.trustee } elseif ($null -ne $registration) { [string] $registration.Identity } else { $null }
    if ($null -eq $trustee) {
        Write-Report "app $($Recorded.appId) has no service principal in Exchange Online: no mailbox grant can exist for it"
    }
    else {
        foreach ($key in @($Recorded.mailboxes.Keys | Sort-Object)) {
            $record = $Recorded.mailboxes[$key]
            $record.failed = $null
            Sync-OneMailbox -State $state -Key $key -Desired $null -Record $record -Trustee $trustee
        }
    }
    if ($state.failures.Count -eq 0 -and $null -ne $Recorded['organization'] -and $Recorded.organization.owned) {
        Sync-OrganizationSmtpAuth -State $state -Wanted $false -Record $Recorded.organization -ReconcileAll $true -Phase Restore
    }
    if ($state.failures.Count -eq 0 -and -not (Test-AppRbacRecordEmpty -Record $recordedRbac)) {
        $rbacDesired = @{ wanted = $false; names = $recordedRbac.names; app = $Recorded.servicePrincipalId; trustee = [string] $trustee }
        Sync-AppRbac -State $state -Desired $rbacDesired -Record $recordedRbac -Trustee ([string] $trustee) -ReconcileAll $true -Phase Remove
    }
    if ($state.failures.Count -gt 0) {
        throw "Exchange Online access could not be removed for: $(@($state.failures | ForEach-Object { "$($_.address) ($($_.message))" }) -join '; '). Fix the cause and run 'pulumi destroy' again."
    }
    if ($null -ne $registration) {
        Remove-ServicePrincipal -Identity $registration.Identity -Confirm:$false -ErrorAction Stop | Out-Null
        Add-Change "removed service principal $($registration.ObjectId) (app $($Recorded.appId)) from Exchange Online"
    }
}
