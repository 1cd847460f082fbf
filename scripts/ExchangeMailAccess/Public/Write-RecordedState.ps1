<#
.SYNOPSIS
    Prints the record of what the stack owns as the one line on stdout.
.DESCRIPTION
    M365_MAIL_OAUTH_STATE=gz:<base64 of gzip of JSON>; the provider hands it back as PULUMI_COMMAND_STDOUT.
.PARAMETER State
    The record Invoke-ExchangeStep returned.
#>
function Write-RecordedState {
    [CmdletBinding()]
    param([Parameter(Mandatory)][hashtable] $State)
    $State.version = $script:StateVersion
    [Console]::Out.WriteLine($script:StateMarker + (ConvertTo-StateText -Json ($State | ConvertTo-Json -Depth 8 -Compress)))
}
