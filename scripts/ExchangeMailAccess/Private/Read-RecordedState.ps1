<# The record the previous run left, from PULUMI_COMMAND_STDOUT; $null when there is none. #>
function Read-RecordedState {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $stdout = $env:PULUMI_COMMAND_STDOUT
    if ([string]::IsNullOrEmpty($stdout)) {
        return $null
    }
    $line = $stdout -split "`r?`n" | Where-Object { $_.StartsWith($script:StateMarker) } | Select-Object -Last 1
    if ($null -eq $line) {
        return $null
    }
    $state = ConvertFrom-StateText -Text $line.Substring($script:StateMarker.Length) | ConvertFrom-Json -AsHashtable
    switch ($state.version) {
        1 { return ConvertFrom-RecordVersion1 -State $state }
        2 { return $state }
        default { throw "The recorded Exchange state has version $($state.version); this script reads versions 1 and 2." }
    }
}
