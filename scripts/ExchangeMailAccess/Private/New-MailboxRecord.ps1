function New-MailboxRecord {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][string] $Address,
        [AllowNull()][hashtable] $Want
    )
    return @{ address = $Address; want = $Want; owns = (New-OwnedGrants); before = @{}; failed = $null }
}
