function Disconnect-ExchangeMailAccess {
    [CmdletBinding()]
    param()
    try {
        Disconnect-ExchangeOnline -Confirm:$false -ErrorAction Stop | Out-Null
    }
    catch {
        Write-Report "Disconnect-ExchangeOnline: $($_.Exception.Message)"
    }
}
