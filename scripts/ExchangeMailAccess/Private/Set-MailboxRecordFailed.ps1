<# A mailbox that could not be read or changed keeps the record it had (what the stack owns there), marked failed. #>
function Set-MailboxRecordFailed {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Key,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Message
    )
    $kept = if ($null -ne $Record) { $Record } else { New-MailboxRecord -Address $Address -Want $null }
    $kept.failed = $Message
    $State.mailboxes[$Key] = $kept
    Add-Failure -State $State -Address $Address -Message $Message
}
