<#
    Takes what a run wrote to any stream but errors and puts it in the report. stdout is reserved for the one
    state line, yet PowerShell's console host writes warnings, verbose and information (Write-Host) to stdout,
    and the Exchange module writes warnings of its own ("An existing permission entry was found"). The entry
    scripts run their body as `& { ... } 3>&1 4>&1 5>&1 6>&1 | Write-StreamReport`.
#>
function Write-StreamReport {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)][AllowNull()][object] $Record)
    process {
        if ($null -eq $Record) { return }
        $text = if ($Record -is [System.Management.Automation.WarningRecord]) { "warning: $($Record.Message)" } else { "$Record" }
        if (-not [string]::IsNullOrWhiteSpace($text)) { Write-Report $text }
    }
}
