<# Reads, resolves and changes one mailbox; leaves its record (or none) in the state. #>
function Sync-OneMailbox {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Key,
        [AllowNull()][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Trustee,
        [bool] $Adopted = $false
    )
    $address = if ($null -ne $Desired) { $Desired.address } else { $Record.address }
    $needsGroup = (($null -ne $Desired) -and [bool] $Desired.groupMember) -or (Get-OwnedGrants -Record $Record).groupMember
    try {
        $current = Get-MailboxAccess -Address $address -Trustee $Trustee
        if ($null -ne $current -and $needsGroup) {
            $current.groupMember = (Get-RunGroupMembers -State $State).Contains($address.ToLowerInvariant())
        }
    }
    catch {
        Set-MailboxRecordFailed -State $State -Key $Key -Record $Record -Address $address -Message $_.Exception.Message
        return
    }
    if ($null -eq $current) {
        if ($null -ne $Desired) {
            Set-MailboxRecordFailed -State $State -Key $Key -Record $Record -Address $address -Message "the mailbox couldn't be found in Exchange Online; check the address in m365-mail-oauth:mailboxes"
        }
        else {
            Write-Report "mailbox $address no longer exists; nothing to revoke there"
        }
        return
    }
    $resolved = Resolve-MailboxAccess -Address $address -Desired $Desired -Record $Record -Current $current -Trustee $Trustee -Group ([string] $State.run.group) -Adopted $Adopted
    $next = $resolved.record
    if ($Adopted) {
        $before = Get-OwnedGrants -Record $Record
        foreach ($key in @('fullAccess', 'sendAs')) {
            if ($next.owns[$key] -and -not $before[$key]) { Write-Report "adopted $key on ${address}: the stack owns it from now on (exchange.adoptedGrants)" }
        }
    }
    foreach ($operation in $resolved.operations) {
        try {
            Invoke-ExchangeMailAccessOperation -Operation $operation
        }
        catch {
            $next.failed = $_.Exception.Message
            Add-Failure -State $State -Address $address -Message "$($operation.description) failed: $($_.Exception.Message)"
            break
        }
        Complete-Operation -Record $next -Operation $operation
    }
    foreach ($reason in $resolved.blocked) {
        $next.failed = $reason
        Add-Failure -State $State -Address $address -Message $reason
    }
    if (-not (Test-RecordEmpty -Record $next)) {
        $State.mailboxes[$Key] = $next
    }
}
