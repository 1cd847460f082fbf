<#
    SMTP through RBAC for Applications (exchange.smtpAuthorization appRbac): whether the stack wants its group,
    scope and role assignment, and their names. The names come with either mode, so a stack that leaves appRbac
    still knows what it made (the record keeps them too).
#>
function Read-AppRbacSettings {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    return @{
        wanted = ($env:M365_EXO_SMTP_AUTHORIZATION -eq 'appRbac')
        names  = @{ group = [string] $env:M365_EXO_RBAC_GROUP; scope = [string] $env:M365_EXO_RBAC_SCOPE; assignment = [string] $env:M365_EXO_RBAC_ASSIGNMENT }
    }
}
