<# A record that holds nothing the stack owns and was not asked for anything can be forgotten. #>
function Test-RecordEmpty {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][hashtable] $Record)
    return ($null -eq $Record.want) -and ($null -eq $Record.failed) -and (Test-RecordOwnsNothing -Record $Record)
}
