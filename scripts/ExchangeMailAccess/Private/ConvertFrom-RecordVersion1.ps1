<# A version-1 record (before ownership was tracked apart from the desired access) read as version 2. #>
function ConvertFrom-RecordVersion1 {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)][hashtable] $State)
    $mailboxes = @{}
    foreach ($key in @($State.mailboxes.Keys)) {
        $old = $State.mailboxes[$key]
        $mailboxes[$key] = @{
            address = $old.address
            want    = $null
            owns    = @{ fullAccess = [bool] $old.fullAccess; sendAs = [bool] $old.sendAs }
            before  = if ($null -ne $old.before) { $old.before } else { @{} }
            failed  = $null
        }
    }
    $organization = $null
    if ($null -ne $State.organization -and $State.organization.ContainsKey('SmtpClientAuthenticationDisabled')) {
        $organization = @{ want = $true; owned = $true; before = [bool] $State.organization.SmtpClientAuthenticationDisabled }
    }
    return @{
        version = $script:StateVersion; appId = $State.appId; servicePrincipalId = $State.servicePrincipalId; trustee = $null
        reconcileRun = ''; mailboxes = $mailboxes; organization = $organization; failures = @()
    }
}
