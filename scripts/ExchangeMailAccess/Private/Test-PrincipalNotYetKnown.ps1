<#
    Entra ID replicates a new service principal to Exchange Online with a delay. New-ServicePrincipal does not
    show it (its page documents no check of -AppId or -ObjectId, and it succeeds at once); the first grant that
    names the principal does, answering that the principal "couldn't be found". Microsoft's pages do not document
    that answer; it is what Exchange says for a principal it does not know. So exactly that is retried, on the
    grant where it occurs, with backoff up to a bound: an error naming the mailbox, or any other error, is not.
#>
function Test-PrincipalNotYetKnown {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.ErrorRecord] $ErrorRecord,
        [Parameter(Mandatory)][string[]] $Principal
    )
    if (-not (Test-NotFoundError -ErrorRecord $ErrorRecord)) { return $false }
    foreach ($value in $Principal) {
        if ($value -and "$($ErrorRecord.Exception.Message)".Contains("'$value'")) { return $true }
    }
    return $false
}
