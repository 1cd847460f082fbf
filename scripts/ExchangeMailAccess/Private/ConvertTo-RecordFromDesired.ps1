<#
    The record destroy works from when the command never recorded one (its first run failed before printing it):
    whatever the environment of that run asked for, granted to the stack's own app, is the stack's. Group
    membership is not: without a record the stack cannot know it made the group.
#>
function ConvertTo-RecordFromDesired {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $Desired)
    $mailboxes = @{}
    foreach ($key in $Desired.mailboxes.Keys) {
        $mailbox = $Desired.mailboxes[$key]
        $record = New-MailboxRecord -Address $mailbox.address -Want $null
        $record.owns.fullAccess = $mailbox.fullAccess
        $record.owns.sendAs = $mailbox.sendAs
        $mailboxes[$key] = $record
    }
    return @{ appId = $Desired.appId; servicePrincipalId = $Desired.servicePrincipalId; trustee = $null; mailboxes = $mailboxes; organization = $null; rbac = $null }
}
