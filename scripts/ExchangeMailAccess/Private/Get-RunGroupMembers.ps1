<#
    The appRbac group's members, read once per run and only when a mailbox that is read needs them: a
    one-mailbox change among a thousand still costs one call here.
#>
function Get-RunGroupMembers {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $State)
    if ($null -eq $State.run.groupMembers) {
        $State.run.groupMembers = if ($State.run.group) { Get-AppRbacMembers -Group $State.run.group } else { [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase) }
    }
    return , $State.run.groupMembers
}
