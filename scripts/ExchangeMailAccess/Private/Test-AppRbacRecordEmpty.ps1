<# Whether an rbac record holds nothing the stack made. #>
function Test-AppRbacRecordEmpty {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Record)
    return ($null -eq $Record) -or ($null -eq $Record.owns) -or (-not $Record.owns.group -and -not $Record.owns.scope -and -not $Record.owns.assignment)
}
