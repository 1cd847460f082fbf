<#
    Runs the operation's call, retrying only while Exchange does not know the named service principal yet: the one
    retry policy for Entra ID's replication lag (the registration, the grants, the role assignment), bounded by
    M365_EXO_REGISTRATION_TIMEOUT_SECONDS (default 900) with a back-off from M365_EXO_REGISTRATION_DELAY_SECONDS.
#>
function Invoke-WithReplicationRetry {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $Operation,
        [Parameter(Mandatory)][string[]] $Principal
    )
    $timeout = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_TIMEOUT_SECONDS' -Default 900
    $delay = Get-PositiveNumberSetting -Name 'M365_EXO_REGISTRATION_DELAY_SECONDS' -Default 5
    $deadline = [DateTime]::UtcNow.AddSeconds($timeout)
    $attempt = 0
    # What the call is about, for the report: the mailbox of a grant, else the operation's own target.
    $target = if ($Operation['address']) { "on $($Operation['address'])" } elseif ($Operation['target']) { "of $($Operation['target'])" } else { '' }
    while ($true) {
        $attempt++
        try {
            return Invoke-ExchangeCall -Operation $Operation
        }
        catch {
            if (-not (Test-PrincipalNotYetKnown -ErrorRecord $_ -Principal $Principal)) { throw }
            if ([DateTime]::UtcNow.AddSeconds($delay) -gt $deadline) {
                throw "Exchange Online still did not know the service principal after $attempt attempts in $timeout s ($($Operation.kind) $target): $($_.Exception.Message). Entra ID has not replicated the service principal to Exchange Online yet; run 'pulumi up' again in a few minutes."
            }
            Write-Report "Exchange Online does not know the service principal yet ($($Operation.kind) $target, attempt $attempt); retrying in $delay s"
            Start-Sleep -Milliseconds ([int] ($delay * 1000))
            $delay = [Math]::Min($delay * 2, 60)
        }
    }
}
