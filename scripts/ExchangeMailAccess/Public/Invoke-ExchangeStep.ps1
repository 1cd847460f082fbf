<#
.SYNOPSIS
    Runs one step of the Exchange command: create/update (Sync) or delete (Remove).
.DESCRIPTION
    The inputs, one Exchange session, and the step; every stream but errors goes to the report (stdout is kept for
    the record). A step that throws changed nothing the record would lose (or is a delete, which keeps no output):
    it is reported here, then thrown on; the entry script exits 1 for it, so the provider keeps the previous record.
.PARAMETER Step
    Sync (create and update) or Remove (delete).
.OUTPUTS
    The new record for Sync; nothing for Remove.
.EXAMPLE
    $record = Invoke-ExchangeStep -Step Sync
#>
function Invoke-ExchangeStep {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][ValidateSet('Sync', 'Remove')][string] $Step)
    $result = @{ record = $null }
    try {
        & {
            $recorded = Read-RecordedState
            $desired = $null
            if ($Step -eq 'Sync') {
                $desired = Read-DesiredState
            }
            elseif ($null -eq $recorded) {
                Write-Report 'No recorded Exchange Online state: revoking what the configuration asked for.'
                $recorded = ConvertTo-RecordFromDesired -Desired (Read-DesiredState)
            }
            $module = Import-ExchangeModule
            Connect-ExchangeMailAccess -ModuleVersion $module.Version
            try {
                $organizationSmtpAuth = ($null -ne $recorded -and $null -ne $recorded['organization'] -and $recorded.organization.owned) -or ($null -ne $desired -and $desired.organizationSmtpAuth)
                $appRbac = ($null -ne $recorded -and -not (Test-AppRbacRecordEmpty -Record $recorded['rbac'])) -or ($null -ne $desired -and $desired.appRbac.wanted)
                Assert-SessionCmdlets -Step $Step -OrganizationSmtpAuth $organizationSmtpAuth -AppRbac $appRbac
                if ($Step -eq 'Sync') {
                    $result.record = Invoke-ExchangeMailAccessSync -Desired $desired -Recorded $recorded
                }
                else {
                    Invoke-ExchangeMailAccessRemoval -Recorded $recorded
                }
            }
            finally {
                Disconnect-ExchangeMailAccess
            }
        } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport
    }
    catch {
        Write-ReportSummary "error: $($_.Exception.Message)"
        # Only the entry scripts end the process: a function that exits would end the caller's session too.
        throw
    }
    return $result.record
}
