<#
    The cmdlets a run needs. Exchange Online leaves out of the session every cmdlet the signed-in identity's roles
    do not allow, so a missing one is a permissions problem, found right after signing in and named, before any
    change: never mistaken for "not found" further on.
#>
function Assert-SessionCmdlets {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][ValidateSet('Sync', 'Remove')][string] $Step,
        [Parameter(Mandatory)][bool] $OrganizationSmtpAuth,
        [Parameter(Mandatory)][bool] $AppRbac
    )
    $needed = [System.Collections.Generic.List[string]]::new()
    $needed.AddRange([string[]] @('Get-ServicePrincipal', 'Remove-ServicePrincipal', 'Get-CASMailbox', 'Set-CASMailbox',
            'Get-MailboxPermission', 'Add-MailboxPermission', 'Remove-MailboxPermission',
            'Get-RecipientPermission', 'Add-RecipientPermission', 'Remove-RecipientPermission'))
    if ($Step -eq 'Sync') { $needed.Add('New-ServicePrincipal') }
    if ($OrganizationSmtpAuth) { $needed.AddRange([string[]] @('Get-TransportConfig', 'Set-TransportConfig')) }
    if ($AppRbac) {
        $needed.AddRange([string[]] @('Get-DistributionGroup', 'New-DistributionGroup', 'Remove-DistributionGroup', 'Get-DistributionGroupMember',
                'Add-DistributionGroupMember', 'Remove-DistributionGroupMember', 'Get-ManagementScope', 'New-ManagementScope', 'Remove-ManagementScope',
                'Get-ManagementRoleAssignment', 'New-ManagementRoleAssignment', 'Remove-ManagementRoleAssignment', 'Test-ServicePrincipalAuthorization'))
    }
    $missing = @($needed | Where-Object { $null -eq (Get-Command -Name $_ -ErrorAction SilentlyContinue) })
    if ($missing.Count -gt 0) {
        throw "The Exchange Online session lacks $($missing -join ', '): Exchange leaves out every cmdlet the signed-in identity's roles do not allow. Nothing was changed. Sign in with an identity that holds them: the Exchange Administrator role or the Organization Management role group covers all; 'Get-ManagementRole -Cmdlet <name>' lists the roles that hold one (Microsoft: 'Find the permissions required to run any Exchange cmdlet')."
    }
}
