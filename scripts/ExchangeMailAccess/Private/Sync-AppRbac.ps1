<#
    SMTP through RBAC for Applications: phase 'Create' runs before the mailbox pass (group, scope and role
    assignment exist before any mailbox joins the group or loses SendAs), phase 'Remove' after it, and only when
    no mailbox failed (the members have left by then). Trusted from the record while nothing about it changed.
#>
function Sync-AppRbac {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][string] $Trustee,
        [Parameter(Mandatory)][bool] $ReconcileAll,
        [Parameter(Mandatory)][ValidateSet('Create', 'Remove')][string] $Phase
    )
    $wanted = [bool] $Desired.wanted
    if (($Phase -eq 'Create') -ne $wanted) { return }
    if (-not $wanted -and (Test-AppRbacRecordEmpty -Record $Record)) {
        $State.rbac = $null
        return
    }
    $sameNames = ($null -ne $Record) -and ($null -ne $Record.names) -and ($Record.names.group -eq $Desired.names.group) -and ($Record.names.scope -eq $Desired.names.scope) -and ($Record.names.assignment -eq $Desired.names.assignment)
    $complete = (Test-AppRbacRecordComplete -Record $Record) -and [bool] $Record.want -and ($Record.app -eq $Desired.app)
    if ($wanted -and -not $ReconcileAll -and $sameNames -and $complete) {
        $State.rbac = $Record
        return
    }
    if ($wanted -and $null -ne $Record -and -not $sameNames -and -not (Test-AppRbacRecordEmpty -Record $Record)) {
        $State.rbac = $Record
        Add-Failure -State $State -Address 'appRbac' -Message "exchange.appRbacGroup changed from $($Record.names.group) to $($Desired.names.group) while the stack still owns the first; set it back, or switch exchange.smtpAuthorization to mailboxPermission for one update to remove it first"
        return
    }
    $names = if ($wanted) { $Desired.names } else { $Record.names }
    try {
        $current = Get-AppRbacObjects -Names $names
        $resolved = Resolve-AppRbac -Desired $Desired -Record $Record -Current $current
        $next = $resolved.record
        if ($null -ne $current.group -and -not $next.groupDn) { $next.groupDn = $current.group.dn }
        $State.rbac = $next
        foreach ($conflict in $resolved.conflicts) { Add-Failure -State $State -Address 'appRbac' -Message $conflict }
        foreach ($operation in $resolved.operations) {
            Invoke-AppRbacOperation -Operation $operation -Record $next -Trustee $Trustee
        }
        if (-not $wanted -and (Test-AppRbacRecordEmpty -Record $next)) { $State.rbac = $null }
    }
    catch {
        Add-Failure -State $State -Address 'appRbac' -Message "SMTP through RBAC for Applications: $($_.Exception.Message)"
    }
}
