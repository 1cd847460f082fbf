<#
    A mailbox whose desired access equals what the last successful run was asked for, for the same trustee, is
    trusted from the record: not read, not touched. This is what lets an update that changes one mailbox out of a
    thousand make the same few Exchange calls as it would among ten. exchange.reconcile: all turns it off.
#>
function Test-MailboxRecordTrusted {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][bool] $SameTrustee,
        [Parameter(Mandatory)][bool] $ReconcileAll
    )
    return (-not $ReconcileAll) -and $SameTrustee -and ($null -ne $Record) -and ($null -eq $Record.failed) -and
        (Test-SameDesiredMailbox -Left $Desired -Right $Record.want)
}
