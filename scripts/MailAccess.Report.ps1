<#
    The human report of a run, on stderr, bounded.

    @pulumi/command hands a run's stderr back to the next update and to delete as one environment variable
    (PULUMI_COMMAND_STDERR), and Linux refuses to start a process whose single variable exceeds 128 KiB: an
    unbounded report would lock every later update and destroy. So detail lines share a budget of a few KiB;
    what does not fit is counted, and the closing summary is always written.
#>

$script:ReportBudget = 4096
$script:ReportUsed = 0
$script:ReportSuppressed = 0
$script:ChangeCount = 0

function Write-Report {
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowEmptyString()][string] $Message)
    $length = $Message.Length + 1
    if ($script:ReportUsed + $length -gt $script:ReportBudget) {
        $script:ReportSuppressed++
        return
    }
    $script:ReportUsed += $length
    [Console]::Error.WriteLine($Message)
}

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

function Add-Change {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Message)
    $script:ChangeCount++
    Write-Report "changed: $Message"
}

<#
.SYNOPSIS
    How many changes this run made in Exchange Online.
.OUTPUTS
    System.Int32
#>
function Get-ChangeCount {
    [CmdletBinding()]
    [OutputType([int])]
    param()
    return $script:ChangeCount
}

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
