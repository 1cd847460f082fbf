<#
    Reads a secret from standard input as UTF-8 whatever the platform's console encoding (Windows' console input
    is an OEM code page, which would turn a non-ASCII password into a different one).
#>
function Read-StandardInputSecret {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $reader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), [System.Text.UTF8Encoding]::new($false))
    try {
        return $reader.ReadToEnd().TrimEnd("`r", "`n")
    }
    finally {
        $reader.Dispose()
    }
}
