<# Whether the record holds nothing the stack must undo: no grant it made, no setting it changed. #>
function Test-RecordOwnsNothing {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][hashtable] $Record)
    $owns = Get-OwnedGrants -Record $Record
    return @($owns.Values | Where-Object { $_ }).Count -eq 0 -and $Record.before.Count -eq 0
}
