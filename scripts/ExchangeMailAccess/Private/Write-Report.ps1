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
