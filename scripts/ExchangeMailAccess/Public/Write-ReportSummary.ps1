<#
.SYNOPSIS
    Writes a line of the report that is always shown (the summary, the failures).
.DESCRIPTION
    Outside the detail budget, and cut at 1 KiB; says first how many detail lines did not fit.
.PARAMETER Message
    The line.
#>
function Write-ReportSummary {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Message)
    if ($script:ReportSuppressed -gt 0) {
        [Console]::Error.WriteLine("... $($script:ReportSuppressed) more line(s) not shown")
        $script:ReportSuppressed = 0
    }
    $limit = 1024
    [Console]::Error.WriteLine($(if ($Message.Length -gt $limit) { $Message.Substring(0, $limit) + ' ...' } else { $Message }))
}
