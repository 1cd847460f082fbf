function Get-OrganizationSmtpAuthDisabled {
    [CmdletBinding()]
    param()
    return [bool] (Get-TransportConfig -ErrorAction Stop).SmtpClientAuthenticationDisabled
}
