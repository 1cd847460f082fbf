<#
    The management scope's recipient filter for the group's members, as Microsoft's procedure writes it. The DN is
    data inside an OPATH string literal (single quotes doubled), never PowerShell source.
#>
function Format-MemberOfGroupFilter {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $DistinguishedName)
    return "MemberOfGroup -eq '$($DistinguishedName -replace "'", "''")'"
}
