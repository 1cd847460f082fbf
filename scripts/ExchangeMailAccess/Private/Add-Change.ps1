function Add-Change {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Message)
    $script:ChangeCount++
    Write-Report "changed: $Message"
}
