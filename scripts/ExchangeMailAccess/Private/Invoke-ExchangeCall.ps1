<#
    The cmdlet call of one operation. The registration, grants and the role assignment name the service principal;
    those are the calls where Entra ID's replication lag shows (Invoke-WithReplicationRetry).
#>
function Invoke-ExchangeCall {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $Operation)
    $op = $Operation
    switch ("$($op.kind) $($op['right'])".Trim()) {
        # -ObjectId, not the deprecated -ServiceId: the enterprise application's object ID (New-ServicePrincipal's page).
        'Register' { return New-ServicePrincipal -AppId $op.appId -ObjectId $op.objectId -DisplayName $op.displayName -ErrorAction Stop }
        # No auto-mapping: the app is not a person, and Outlook must not open the mailbox for anyone.
        'Grant FullAccess' { Add-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -AutoMapping $false -Confirm:$false -ErrorAction Stop | Out-Null }
        'Grant SendAs' { Add-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null }
        'Grant GroupMember' { Add-DistributionGroupMember -Identity $op.group -Member $op.address -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke FullAccess' { Remove-MailboxPermission -Identity $op.address -User $op.trustee -AccessRights FullAccess -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke SendAs' { Remove-RecipientPermission -Identity $op.address -Trustee $op.trustee -AccessRights SendAs -Confirm:$false -ErrorAction Stop | Out-Null }
        'Revoke GroupMember' { Remove-DistributionGroupMember -Identity $op.group -Member $op.address -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        'CheckRbac' {
            if (-not (Test-AppRbacAuthorization -Trustee $op.trustee -Address $op.address -Role $script:AppRbacRole)) {
                throw "Exchange accepted $($op.address) into the group $($op.group), but Test-ServicePrincipalAuthorization -Resource $($op.address) does not show '$script:AppRbacRole' in scope for the app"
            }
        }
        'SetMailbox' {
            # The setting is a Set-CASMailbox parameter of the one table ($script:MailboxSettingNames), splatted by
            # name: a new setting is added to that table, not here.
            if ($script:MailboxSettingNames -notcontains $op.setting) { throw "unknown mailbox setting $($op.setting)" }
            $setting = @{ Identity = $op.address; $op.setting = $op.value }
            Set-CASMailbox @setting -Confirm:$false -ErrorAction Stop | Out-Null
        }
        'SetOrganization' { Set-TransportConfig -SmtpClientAuthenticationDisabled $op.value -Confirm:$false -ErrorAction Stop | Out-Null }
        'NewGroup' { return New-DistributionGroup -Name $op.name -Alias $op.name -Type Security -ErrorAction Stop }
        'NewScope' { New-ManagementScope -Name $op.name -RecipientRestrictionFilter $op.filter -ErrorAction Stop | Out-Null }
        # -App takes the service principal's ObjectId (New-ManagementRoleAssignment's reference page).
        'NewAssignment' { New-ManagementRoleAssignment -Name $op.name -Role $script:AppRbacRole -App $op.app -CustomResourceScope $op.scope -ErrorAction Stop | Out-Null }
        'RemoveAssignment' { Remove-ManagementRoleAssignment -Identity $op.name -Confirm:$false -ErrorAction Stop | Out-Null }
        'RemoveScope' { Remove-ManagementScope -Identity $op.name -Confirm:$false -ErrorAction Stop | Out-Null }
        'RemoveGroup' { Remove-DistributionGroup -Identity $op.name -BypassSecurityGroupManagerCheck -Confirm:$false -ErrorAction Stop | Out-Null }
        default { throw "unknown operation $($op.kind) $($op['right'])" }
    }
}
