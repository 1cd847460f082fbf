<#
    Organisation-wide SMTP AUTH (Set-TransportConfig): enabled while wanted, put back to its earlier value after.
    CurrentDisabled is $null when the setting was not read (trusted from the record).
#>
function Resolve-OrganizationSmtpAuth {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)][bool] $Wanted,
        [AllowNull()][hashtable] $Record,
        [AllowNull()][Nullable[bool]] $CurrentDisabled
    )
    $owned = ($null -ne $Record) -and [bool] $Record.owned
    $before = if ($owned) { $Record.before } else { $null }
    $next = @{ want = $Wanted; owned = $owned; before = $before }
    $operations = @()
    if ($Wanted -and $CurrentDisabled -ne $false) {
        $operations = @(@{
                kind = 'SetOrganization'; value = $false; description = 'enabled SMTP AUTH for the whole organization'
                effect = @{ organization = @{ owned = $true; before = $(if ($owned) { $before } else { [bool] $CurrentDisabled }) } }
            })
    }
    elseif (-not $Wanted -and $owned) {
        if ($CurrentDisabled -ne [bool] $before) {
            $operations = @(@{
                    kind = 'SetOrganization'; value = [bool] $before; description = "restored organization-wide SmtpClientAuthenticationDisabled to $before"
                    effect = @{ organization = @{ owned = $false; before = $null } }
                })
        }
        else {
            $next.owned = $false
            $next.before = $null
        }
    }
    return @{ record = $next; operations = $operations }
}
