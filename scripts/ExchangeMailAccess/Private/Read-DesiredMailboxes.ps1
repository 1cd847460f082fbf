<# The desired mailboxes, one M365_MAILBOX_* variable each, keyed by the address in lower case. #>
function Read-DesiredMailboxes {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $mailboxes = @{}
    foreach ($variable in [Environment]::GetEnvironmentVariables().GetEnumerator()) {
        if (-not ([string] $variable.Key).StartsWith('M365_MAILBOX_', [StringComparison]::Ordinal)) { continue }
        $mailbox = ConvertTo-DesiredMailbox -Value ($variable.Value | ConvertFrom-Json -AsHashtable)
        $mailboxes[$mailbox.address.ToLowerInvariant()] = $mailbox
    }
    return $mailboxes
}
