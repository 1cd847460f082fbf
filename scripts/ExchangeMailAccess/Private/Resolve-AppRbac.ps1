<#
    SMTP through RBAC for Applications: the stack's mail-enabled security group, the management scope on its
    members and the 'Application SMTP.SendAsApp' assignment to the app, from Microsoft's "Configure SMTP
    onboarding to App RBAC". Desired: wanted, names, app (the service principal's ObjectId, which -App takes).
    Record: the previous rbac record or $null. Current: Get-AppRbacObjects, or $null when not read (trusted).

    Ownership as for mailboxes: an object of the stack's name that the record does not say the stack made is not
    the stack's; it is never changed or removed, and the run reports it. Creation goes group, scope, assignment;
    removal the reverse, each only if owned. A role assignment for another app (the enterprise application was
    replaced) is replaced.
#>
function Resolve-AppRbac {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][hashtable] $Desired,
        [AllowNull()][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Current
    )
    $owns = @{ group = $false; scope = $false; assignment = $false }
    if ($null -ne $Record -and $null -ne $Record.owns) { foreach ($key in @($owns.Keys)) { $owns[$key] = [bool] $Record.owns[$key] } }
    $names = $Desired.names
    $recordedNames = if ($null -ne $Record -and $null -ne $Record.names) { $Record.names } else { $names }
    $next = @{ want = $Desired.wanted; names = $names; app = $(if ($null -ne $Record) { $Record.app } else { $null }); groupDn = $(if ($null -ne $Record) { $Record.groupDn } else { $null }); owns = $owns.Clone() }
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    $conflicts = [System.Collections.Generic.List[string]]::new()
    $wanted = [bool] $Desired.wanted
    $group = $Current.group
    $groupDn = if ($null -ne $group) { $group.dn } else { $null }

    if ($wanted) {
        if ($null -eq $group) {
            $operations.Add(@{ kind = 'NewGroup'; name = $names.group; effect = @{ rbac = 'group'; value = $true }; description = "created the mail-enabled security group $($names.group) for SMTP through RBAC" })
            $next.owns.group = $false
        }
        elseif (-not $owns.group) {
            $conflicts.Add("a group named $($names.group) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
        }
        else { $next.groupDn = $groupDn }
        if ($conflicts.Count -eq 0) {
            $scope = $Current.scope
            if ($null -eq $scope) {
                $operations.Add(@{ kind = 'NewScope'; name = $names.scope; group = $names.group; effect = @{ rbac = 'scope'; value = $true }; description = "created the management scope $($names.scope) on the members of $($names.group)" })
            }
            elseif (-not $owns.scope) {
                $conflicts.Add("a management scope named $($names.scope) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
            }
            elseif ($null -ne $groupDn -and $scope.filter -ne (Format-MemberOfGroupFilter -DistinguishedName $groupDn)) {
                $conflicts.Add("the management scope $($names.scope) no longer filters on MemberOfGroup of $($names.group) (its filter is $($scope.filter)); it was changed outside the stack")
            }
        }
        if ($conflicts.Count -eq 0) {
            $assignment = $Current.assignment
            if ($null -ne $assignment -and -not $owns.assignment) {
                $conflicts.Add("a management role assignment named $($names.assignment) already exists and was not made by this stack; set exchange.appRbacGroup to a name of its own")
            }
            else {
                if ($null -ne $assignment -and $assignment.app -ne $Desired.trustee -and $assignment.app -ne $Desired.app) {
                    $operations.Add(@{ kind = 'RemoveAssignment'; name = $names.assignment; effect = @{ rbac = 'assignment'; value = $false }; description = "removed the role assignment $($names.assignment) of the replaced enterprise application" })
                    $assignment = $null
                }
                if ($null -eq $assignment) {
                    $operations.Add(@{ kind = 'NewAssignment'; name = $names.assignment; scope = $names.scope; app = $Desired.app; effect = @{ rbac = 'assignment'; value = $true; app = $Desired.app }; description = "assigned 'Application SMTP.SendAsApp' to the app, scoped to $($names.scope)" })
                }
                else { $next.app = $Desired.app }
            }
        }
    }
    else {
        # Removal, in reverse order of creation; the members left in the mailbox pass before this.
        if ($owns.assignment -and $null -ne $Current.assignment) {
            $operations.Add(@{ kind = 'RemoveAssignment'; name = $recordedNames.assignment; effect = @{ rbac = 'assignment'; value = $false }; description = "removed the role assignment $($recordedNames.assignment)" })
        }
        elseif ($owns.assignment) { $next.owns.assignment = $false }
        if ($owns.scope -and $null -ne $Current.scope) {
            $operations.Add(@{ kind = 'RemoveScope'; name = $recordedNames.scope; effect = @{ rbac = 'scope'; value = $false }; description = "removed the management scope $($recordedNames.scope)" })
        }
        elseif ($owns.scope) { $next.owns.scope = $false }
        if ($owns.group -and $null -ne $Current.group) {
            $operations.Add(@{ kind = 'RemoveGroup'; name = $recordedNames.group; effect = @{ rbac = 'group'; value = $false }; description = "removed the group $($recordedNames.group)" })
        }
        elseif ($owns.group) { $next.owns.group = $false }
        $next.names = $recordedNames
    }
    return @{ record = $next; operations = $operations.ToArray(); conflicts = $conflicts.ToArray() }
}
