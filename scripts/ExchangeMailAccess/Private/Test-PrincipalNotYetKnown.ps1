<#
    Entra ID replicates a new service principal to Exchange Online with a delay. It shows on New-ServicePrincipal
    (ManagementObjectNotFoundException for the -ObjectId, issue #29 part 5), or, where the registration went
    through, on the first grant that names the principal, answering that the principal "couldn't be found".
    Microsoft's pages do not document that answer; it is what Exchange says for an object it does not know. So
    exactly that is retried, on the call where it occurs, with backoff up to a bound: an error naming the mailbox,
    or any other error, is not.
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
