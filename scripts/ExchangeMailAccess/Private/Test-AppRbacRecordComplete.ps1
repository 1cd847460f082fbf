<# Whether an rbac record says the stack made all three: group, scope and role assignment. #>
function Test-AppRbacRecordComplete {
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][hashtable] $Record)
    return ($null -ne $Record) -and ($null -ne $Record.owns) -and [bool] $Record.owns.group -and [bool] $Record.owns.scope -and [bool] $Record.owns.assignment
}
