function Test-NotFoundError {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][System.Management.Automation.ErrorRecord] $ErrorRecord)
    # A cmdlet missing from the session is category ObjectNotFound as well, and is never "the object isn't there".
    if ($ErrorRecord.Exception -is [System.Management.Automation.CommandNotFoundException]) { return $false }
    return ($ErrorRecord.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::ObjectNotFound) -or
        ("$($ErrorRecord.FullyQualifiedErrorId) $($ErrorRecord.Exception.Message)" -match "couldn't be found|could not be found|ManagementObjectNotFound")
}
