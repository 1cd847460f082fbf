<# The desired access: the app's identities, the settings, and the mailboxes (Read-DesiredMailboxes). #>
function Read-DesiredState {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $mailboxes = Read-DesiredMailboxes
    return @{
        tenantId             = Get-RequiredSetting -Name 'M365_TENANT_ID'
        appId                = Get-RequiredSetting -Name 'M365_APP_ID'
        servicePrincipalId   = Get-RequiredSetting -Name 'M365_SP_OBJECT_ID'
        displayName          = Get-RequiredSetting -Name 'M365_SP_DISPLAY_NAME'
        organizationSmtpAuth = ($env:M365_ORGANIZATION_SMTP_AUTH -eq 'true')
        reconcileAll         = ($env:M365_EXO_RECONCILE -eq 'all')
        reconcileRun         = [string] $env:M365_EXO_RECONCILE_RUN
        disableWam           = ($env:M365_EXO_DISABLE_WAM -eq 'true')
        appRbac              = Read-AppRbacSettings
        # exchange.adoptedGrants: mailboxes (lower case) whose grants found there count as the stack's.
        adoptedGrants        = @(if ($env:M365_EXO_ADOPTED_GRANTS) { $env:M365_EXO_ADOPTED_GRANTS | ConvertFrom-Json })
        mailboxes            = $mailboxes
    }
}
