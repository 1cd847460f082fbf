function ConvertTo-DesiredMailbox {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $Value)
    $mailbox = @{ address = [string] $Value.address }
    foreach ($flag in $script:DesiredMailboxFlags) { $mailbox[$flag] = [bool] $Value[$flag] }
    return $mailbox
}
