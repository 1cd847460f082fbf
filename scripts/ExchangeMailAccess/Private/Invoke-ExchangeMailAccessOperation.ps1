<# Runs one mailbox or organisation operation, and reports it once Exchange accepted it. #>
function Invoke-ExchangeMailAccessOperation {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Operation)
    $op = $Operation
    try {
        if ($op.kind -eq 'Grant' -and $op.right -ne 'GroupMember') {
            Invoke-WithReplicationRetry -Operation $op -Principal @($op.trustee) | Out-Null
        }
        else {
            Invoke-ExchangeCall -Operation $op | Out-Null
        }
    }
    catch {
        if ($op['ignoreNotFound'] -and (Test-NotFoundError -ErrorRecord $_)) {
            Write-Report "nothing to revoke: $($_.Exception.Message)"
            return
        }
        throw
    }
    Add-Change $op.description
}
