function ConvertTo-StateText {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $Json)
    # Gzip and base64: a thousand mailboxes' records stay far below the 128 KiB one environment variable may hold.
    $buffer = [System.IO.MemoryStream]::new()
    $gzip = [System.IO.Compression.GZipStream]::new($buffer, [System.IO.Compression.CompressionLevel]::Optimal)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($Json)
    $gzip.Write($bytes, 0, $bytes.Length)
    $gzip.Dispose()
    return 'gz:' + [Convert]::ToBase64String($buffer.ToArray())
}
