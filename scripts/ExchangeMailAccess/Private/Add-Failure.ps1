function Add-Failure {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $State,
        [Parameter(Mandatory)][string] $Address,
        [Parameter(Mandatory)][string] $Message
    )
    $State.failures += , @{ address = $Address; message = $Message }
    Write-Report "FAILED on ${Address}: $Message"
}
