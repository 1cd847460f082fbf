<# Whether the record already owns every grant an adopted mailbox wants (FullAccess, SendAs): nothing left to take over. #>
function Test-AdoptionComplete {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record
    )
    $owns = Get-OwnedGrants -Record $Record
    foreach ($key in @('fullAccess', 'sendAs')) {
        if ([bool] $Desired[$key] -and -not $owns[$key]) { return $false }
    }
    return $true
}
