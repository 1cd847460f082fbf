<# The primary SMTP addresses (lower case) of the group's members: one call, whatever the number of mailboxes. #>
function Get-AppRbacMembers {
    [CmdletBinding()]
    [OutputType([System.Collections.Generic.HashSet[string]])]
    param([Parameter(Mandatory)][string] $Group)
    $members = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($member in @(Get-DistributionGroupMember -Identity $Group -ResultSize Unlimited -ErrorAction Stop)) {
        $address = [string] (Get-PropertyValue -InputObject $member -Name 'PrimarySmtpAddress')
        if ($address) { [void] $members.Add($address.ToLowerInvariant()) }
    }
    return , $members
}
