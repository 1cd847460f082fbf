function ConvertFrom-StateText {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $Text)
    if (-not $Text.StartsWith('gz:')) {
        return $Text
    }
    $compressed = [System.IO.MemoryStream]::new([Convert]::FromBase64String($Text.Substring(3)))
    $gzip = [System.IO.Compression.GZipStream]::new($compressed, [System.IO.Compression.CompressionMode]::Decompress)
    $reader = [System.IO.StreamReader]::new($gzip, [System.Text.Encoding]::UTF8)
    try {
        return $reader.ReadToEnd()
    }
    finally {
        $reader.Dispose()
    }
}
