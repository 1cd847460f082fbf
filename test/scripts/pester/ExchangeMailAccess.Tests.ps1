#Requires -Version 7.0
<#
    Pester 5 unit tests of the Exchange module's Get, Resolve and Invoke steps, with the Exchange cmdlets mocked, as
    Microsoft365DSC and dsccommunity test theirs. The scenario suites (test/scripts/*.test.ts) run the same module
    against the stand-in Exchange Online; these pin single functions and their calls.
#>
BeforeAll {
    # The Exchange cmdlets do not exist without a session: stubs with the documented parameters, for Mock to replace.
    function global:Get-ServicePrincipal { param($Identity) }
    function global:New-ServicePrincipal { param($AppId, $ObjectId, $DisplayName) }
    function global:Add-MailboxPermission { param($Identity, $User, $AccessRights, $AutoMapping, [switch] $Confirm) }
    function global:Add-RecipientPermission { param($Identity, $Trustee, $AccessRights, [switch] $Confirm) }
    function global:Remove-MailboxPermission { param($Identity, $User, $AccessRights, [switch] $Confirm) }
    function global:Set-CASMailbox { param($Identity, $SmtpClientAuthenticationDisabled, $ImapEnabled, $PopEnabled, [switch] $Confirm) }
    function global:Get-CASMailbox { param($Identity) }
    function global:Get-MailboxPermission { param($Identity, $User) }
    function global:Get-RecipientPermission { param($Identity, $Trustee, $AccessRights, $ResultSize) }
    function global:Connect-ExchangeOnline { param($ExchangeEnvironmentName, $UserPrincipalName, [switch] $DisableWAM, [switch] $ShowBanner, $ShowProgress) }
    function global:Get-ConnectionInformation { }
    function global:Get-Mailbox { param($Identity, $ResultSize) }
    function global:Get-TransportConfig { param() }
    function global:Get-ManagementRoleAssignment { param() }
    function global:Get-ApplicationAccessPolicy { param($Identity) }
    $script:module = Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../../scripts/ExchangeMailAccess/ExchangeMailAccess.psd1') -Force -PassThru
}

Describe 'the manifest' {
    It 'exports only what the entry scripts call' {
        @($script:module.ExportedFunctions.Keys | Sort-Object) | Should -Be @('Get-ChangeCount', 'Invoke-ExchangeReading', 'Invoke-ExchangeStep', 'Write-RecordedState', 'Write-ReportSummary')
    }

    It 'gives each exported function comment-based help that Get-Help reads' {
        foreach ($name in $script:module.ExportedFunctions.Keys) {
            $help = Get-Help -Name $name -Full
            "$($help.Synopsis)".Trim() | Should -Not -BeLike "$name*" -Because "$name needs a .SYNOPSIS"
            "$($help.Synopsis)".Length | Should -BeGreaterThan 20
        }
        (Get-Help -Name Invoke-ExchangeStep -Full).parameters.parameter.name | Should -Contain 'Step'
    }
}

Describe 'Get-MailboxReadiness (npm run preflight)' {
    It 'reads the kind of recipient and the protocol settings, with Get- cmdlets only' {
        InModuleScope ExchangeMailAccess {
            Mock Get-Mailbox { [pscustomobject]@{ RecipientTypeDetails = 'SharedMailbox' } }
            Mock Get-CASMailbox { [pscustomobject]@{ ImapEnabled = $false; PopEnabled = $true; SmtpClientAuthenticationDisabled = $null } }
            $mailbox = Get-MailboxReadiness -Address "o'brien@contoso.com"
            $mailbox.exists | Should -BeTrue
            $mailbox.recipientTypeDetails | Should -Be 'SharedMailbox'
            $mailbox.imapEnabled | Should -BeFalse
            $mailbox.popEnabled | Should -BeTrue
            $mailbox.smtpClientAuthenticationDisabled | Should -BeNullOrEmpty
            Should -Invoke Get-Mailbox -Times 1 -Exactly -ParameterFilter { $Identity -eq "o'brien@contoso.com" }
        }
    }

    It 'answers exists = false for an address Exchange does not know as a mailbox, and rethrows any other error' {
        InModuleScope ExchangeMailAccess {
            Mock Get-Mailbox { throw [System.Exception]::new("|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x@contoso.com' couldn't be found.") }
            Mock Get-CASMailbox { throw 'not reached' }
            (Get-MailboxReadiness -Address 'x@contoso.com').exists | Should -BeFalse
            Should -Invoke Get-CASMailbox -Times 0 -Exactly
            Mock Get-Mailbox { throw [System.Exception]::new('The server is busy') }
            { Get-MailboxReadiness -Address 'x@contoso.com' } | Should -Throw '*server is busy*'
        }
    }
}

Describe 'Get-ExchangeServicePrincipal' {
    It 'ignores other apps when Exchange answers an unknown Identity with every registration' {
        InModuleScope ExchangeMailAccess {
            Mock Get-ServicePrincipal { @([pscustomobject]@{ Identity = 'other'; AppId = 'b'; ObjectId = 'ob' }) }
            Get-ExchangeServicePrincipal -AppId 'a' | Should -BeNullOrEmpty
            Should -Invoke Get-ServicePrincipal -Times 1 -Exactly -ParameterFilter { $Identity -eq 'a' }
        }
    }

    It 'refuses two registrations of the app, naming both' {
        InModuleScope ExchangeMailAccess {
            Mock Get-ServicePrincipal { @([pscustomobject]@{ Identity = 'one'; AppId = 'a'; ObjectId = 'o' }, [pscustomobject]@{ Identity = 'two'; AppId = 'a'; ObjectId = 'o' }) }
            { Get-ExchangeServicePrincipal -AppId 'a' } | Should -Throw '*2 service principal registrations for app a*Identity one*Identity two*'
        }
    }
}

Describe 'Get-MailboxAccess' {
    It 'returns an explicit Deny apart and does not count it as the grant' {
        InModuleScope ExchangeMailAccess {
            Mock Get-CASMailbox { [pscustomobject]@{ ImapEnabled = $true; PopEnabled = $false; SmtpClientAuthenticationDisabled = $null } }
            Mock Get-MailboxPermission { [pscustomobject]@{ User = 'T'; AccessRights = @('FullAccess'); IsInherited = $false; Deny = $true } }
            # Get-RecipientPermission's output is not documented: an entry without IsInherited is read all the same.
            Mock Get-RecipientPermission { [pscustomobject]@{ Trustee = 'T'; AccessControlType = 'Allow' } }
            $access = Get-MailboxAccess -Address 'm@contoso.com' -Trustee 'T'
            $access.fullAccess | Should -BeFalse
            $access.denied | Should -Be @('FullAccess')
            $access.sendAs | Should -BeTrue
        }
    }
}

Describe 'Resolve-MailboxAccess' {
    It 'never revokes a grant the record does not own' {
        InModuleScope ExchangeMailAccess {
            $current = @{ fullAccess = $true; sendAs = $true; groupMember = $false; denied = @(); settings = @{ SmtpClientAuthenticationDisabled = $null; ImapEnabled = $true; PopEnabled = $false } }
            $resolved = Resolve-MailboxAccess -Address 'm@contoso.com' -Desired $null -Record $null -Current $current -Trustee 'T'
            @($resolved.operations).Count | Should -Be 0
        }
    }

    It 'puts grants before revokes' {
        InModuleScope ExchangeMailAccess {
            $desired = @{ address = 'm@contoso.com'; fullAccess = $false; sendAs = $false; groupMember = $true; smtpClientAuth = $false; smtpClientAuthOrganization = $false; imapEnabled = $false; popEnabled = $false }
            $record = @{ address = 'm@contoso.com'; want = $null; owns = @{ fullAccess = $true; sendAs = $true; groupMember = $false }; before = @{}; failed = $null }
            $current = @{ fullAccess = $true; sendAs = $true; groupMember = $false; denied = @(); settings = @{ SmtpClientAuthenticationDisabled = $null; ImapEnabled = $false; PopEnabled = $false } }
            $kinds = @((Resolve-MailboxAccess -Address 'm@contoso.com' -Desired $desired -Record $record -Current $current -Trustee 'T' -Group 'G').operations | ForEach-Object { $_.kind })
            $kinds | Should -Be @('Grant', 'CheckRbac', 'Revoke', 'Revoke')
        }
    }

    It 'leaves a wanted grant that was already there pre-existing, and makes it the stack''s only when the mailbox is adopted' {
        InModuleScope ExchangeMailAccess {
            $desired = @{ address = 'm@contoso.com'; fullAccess = $true; sendAs = $false; groupMember = $false; smtpClientAuth = $false; smtpClientAuthOrganization = $false; imapEnabled = $true; popEnabled = $false }
            $current = @{ fullAccess = $true; sendAs = $true; groupMember = $false; denied = @(); settings = @{ SmtpClientAuthenticationDisabled = $null; ImapEnabled = $true; PopEnabled = $false } }
            $kept = Resolve-MailboxAccess -Address 'm@contoso.com' -Desired $desired -Record $null -Current $current -Trustee 'T'
            $kept.record.owns.fullAccess | Should -BeFalse
            $adopted = Resolve-MailboxAccess -Address 'm@contoso.com' -Desired $desired -Record $null -Current $current -Trustee 'T' -Adopted $true
            $adopted.record.owns.fullAccess | Should -BeTrue
            $adopted.record.owns.sendAs | Should -BeFalse -Because 'a grant the config does not want is not adopted (npm run adopt reports it)'
            @($adopted.operations).Count | Should -Be 0
        }
    }
}

Describe 'Test-AdoptionComplete' {
    It 'says whether the record owns every grant the adopted mailbox wants' {
        InModuleScope ExchangeMailAccess {
            $desired = @{ address = 'm@contoso.com'; fullAccess = $true; sendAs = $true }
            Test-AdoptionComplete -Desired $desired -Record $null | Should -BeFalse
            Test-AdoptionComplete -Desired $desired -Record @{ owns = @{ fullAccess = $true; sendAs = $false } } | Should -BeFalse
            Test-AdoptionComplete -Desired $desired -Record @{ owns = @{ fullAccess = $true; sendAs = $true } } | Should -BeTrue
        }
    }
}

Describe 'Invoke-ExchangeMailAccessOperation' {
    BeforeEach {
        $env:M365_EXO_REGISTRATION_DELAY_SECONDS = '0.01'
    }

    It 'grants FullAccess without auto-mapping and without a prompt' {
        InModuleScope ExchangeMailAccess {
            Mock Add-MailboxPermission { }
            Invoke-ExchangeMailAccessOperation -Operation @{ kind = 'Grant'; right = 'FullAccess'; address = 'm@contoso.com'; trustee = 'T'; description = 'granted' }
            Should -Invoke Add-MailboxPermission -Times 1 -Exactly -ParameterFilter { $Identity -eq 'm@contoso.com' -and $User -eq 'T' -and $AutoMapping -eq $false -and $Confirm -eq $false }
        }
    }

    It 'retries a grant while Exchange does not know the new service principal, then goes on' {
        InModuleScope ExchangeMailAccess {
            $script:attempts = 0
            Mock Add-RecipientPermission {
                $script:attempts++
                if ($script:attempts -le 2) { throw [System.Exception]::new("|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'T' couldn't be found.") }
            }
            Invoke-ExchangeMailAccessOperation -Operation @{ kind = 'Grant'; right = 'SendAs'; address = 'm@contoso.com'; trustee = 'T'; description = 'granted' }
            Should -Invoke Add-RecipientPermission -Times 3 -Exactly
        }
    }

    It 'does not retry when the mailbox is what is not found' {
        InModuleScope ExchangeMailAccess {
            Mock Add-RecipientPermission { throw [System.Exception]::new("The operation couldn't be performed because object 'm@contoso.com' couldn't be found.") }
            { Invoke-ExchangeMailAccessOperation -Operation @{ kind = 'Grant'; right = 'SendAs'; address = 'm@contoso.com'; trustee = 'T'; description = 'granted' } } | Should -Throw
            Should -Invoke Add-RecipientPermission -Times 1 -Exactly
        }
    }

    It 'does not read a cmdlet missing from the session as "nothing to revoke"' {
        InModuleScope ExchangeMailAccess {
            Mock Remove-MailboxPermission { throw [System.Management.Automation.CommandNotFoundException]::new("The term 'Remove-MailboxPermission' is not recognized") }
            { Invoke-ExchangeMailAccessOperation -Operation @{ kind = 'Revoke'; right = 'FullAccess'; address = 'm@contoso.com'; trustee = 'T'; ignoreNotFound = $true; description = 'revoked' } } | Should -Throw '*not recognized*'
        }
    }
}

Describe 'Register-ExchangeServicePrincipal' {
    BeforeEach {
        $env:M365_EXO_REGISTRATION_DELAY_SECONDS = '0.01'
    }
    AfterEach {
        Remove-Item -Path Env:M365_EXO_REGISTRATION_TIMEOUT_SECONDS -ErrorAction SilentlyContinue
    }

    It 'retries New-ServicePrincipal while Exchange does not know the object ID yet, then registers once' {
        InModuleScope ExchangeMailAccess {
            $script:attempts = 0
            Mock Add-Change { }
            Mock New-ServicePrincipal {
                $script:attempts++
                if ($script:attempts -le 2) { throw [System.Exception]::new("|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'O' couldn't be found.") }
                [pscustomobject]@{ Identity = 'I'; AppId = 'A'; ObjectId = 'O' }
            }
            (Register-ExchangeServicePrincipal -AppId 'A' -ObjectId 'O' -DisplayName 'D').Identity | Should -Be 'I'
            Should -Invoke New-ServicePrincipal -Times 3 -Exactly -ParameterFilter { $AppId -eq 'A' -and $ObjectId -eq 'O' -and $DisplayName -eq 'D' }
            Should -Invoke Add-Change -Times 1 -Exactly
        }
    }

    It 'gives up at the bound, naming the fix, and reports no change' {
        InModuleScope ExchangeMailAccess {
            $env:M365_EXO_REGISTRATION_TIMEOUT_SECONDS = '0.05'
            Mock Add-Change { }
            Mock New-ServicePrincipal { throw [System.Exception]::new("|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'O' couldn't be found.") }
            { Register-ExchangeServicePrincipal -AppId 'A' -ObjectId 'O' -DisplayName 'D' } | Should -Throw "*still did not know the service principal*run 'pulumi up' again*"
            Should -Invoke Add-Change -Times 0 -Exactly
        }
    }

    It 'does not retry another error' {
        InModuleScope ExchangeMailAccess {
            Mock New-ServicePrincipal { throw [System.Exception]::new("|Microsoft.Exchange.Configuration.Tasks.ManagementObjectAccessDeniedException|The user isn't assigned to any management roles that allow changing 'O'.") }
            { Register-ExchangeServicePrincipal -AppId 'A' -ObjectId 'O' -DisplayName 'D' } | Should -Throw '*management roles*'
            Should -Invoke New-ServicePrincipal -Times 1 -Exactly
        }
    }
}

Describe 'Assert-SessionCmdlets' {
    It 'names the cmdlets the session lacks before any change' {
        InModuleScope ExchangeMailAccess {
            Mock Get-Command { if ($Name -ne 'Set-TransportConfig') { [pscustomobject]@{ Name = $Name } } }
            { Assert-SessionCmdlets -Step Sync -OrganizationSmtpAuth $true -AppRbac $false } | Should -Throw '*lacks Set-TransportConfig*Get-ManagementRole -Cmdlet*'
            { Assert-SessionCmdlets -Step Sync -OrganizationSmtpAuth $false -AppRbac $false } | Should -Not -Throw
        }
    }
}

Describe 'Connect-ExchangeMailAccess' {
    BeforeEach {
        $env:M365_EXO_ORGANIZATION = 'contoso.onmicrosoft.us'
        $env:M365_EXO_AUTH = 'interactive'
        $env:M365_TENANT_ID = 't1'
    }
    AfterEach {
        Remove-Item -Path Env:M365_EXO_ORGANIZATION, Env:M365_EXO_AUTH, Env:M365_TENANT_ID, Env:M365_EXO_ENVIRONMENT_NAME -ErrorAction SilentlyContinue
    }

    It 'passes the cloud''s -ExchangeEnvironmentName from M365_EXO_ENVIRONMENT_NAME' {
        $env:M365_EXO_ENVIRONMENT_NAME = 'O365USGovGCCHigh'
        InModuleScope ExchangeMailAccess {
            Mock Write-Report { }
            Mock Connect-ExchangeOnline { }
            Mock Get-ConnectionInformation { [pscustomobject]@{ TenantID = 't1' } }
            Connect-ExchangeMailAccess -ModuleVersion '3.9.0'
            Should -Invoke Connect-ExchangeOnline -Times 1 -Exactly -ParameterFilter { $ExchangeEnvironmentName -eq 'O365USGovGCCHigh' }
        }
    }

    It 'leaves it out for Worldwide, where the variable is not set' {
        InModuleScope ExchangeMailAccess {
            Mock Write-Report { }
            Mock Connect-ExchangeOnline { }
            Mock Get-ConnectionInformation { [pscustomobject]@{ TenantID = 't1' } }
            Connect-ExchangeMailAccess -ModuleVersion '3.9.0'
            Should -Invoke Connect-ExchangeOnline -Times 1 -Exactly -ParameterFilter { $null -eq $ExchangeEnvironmentName }
        }
    }
}

Describe 'Read-ExchangeAppSetup' {
    BeforeEach {
        InModuleScope ExchangeMailAccess {
            # Exchange answers an Identity it does not know with every registration: another app's is among them.
            Mock Get-ServicePrincipal {
                @([pscustomobject]@{ Identity = 'T'; AppId = 'a'; ObjectId = 'app-object'; DisplayName = 'eBiss' }, [pscustomobject]@{ Identity = 'other'; AppId = 'b'; ObjectId = 'ob' })
            }
            Mock Get-Mailbox { @([pscustomobject]@{ PrimarySmtpAddress = 'edi@contoso.com'; RecipientTypeDetails = 'UserMailbox' }, [pscustomobject]@{ PrimarySmtpAddress = 'x@contoso.com'; RecipientTypeDetails = 'SharedMailbox' }) }
            Mock Get-RecipientPermission { @([pscustomobject]@{ Identity = 'edi'; Trustee = 'T'; AccessControlType = 'Allow'; AccessRights = @('SendAs') }) }
            Mock Get-CASMailbox { [pscustomobject]@{ PrimarySmtpAddress = 'edi@contoso.com'; ImapEnabled = $false; PopEnabled = $true; SmtpClientAuthenticationDisabled = $null } }
            Mock Get-MailboxPermission {
                if ($Identity -eq 'edi@contoso.com') { @([pscustomobject]@{ User = 'T'; AccessRights = @('FullAccess'); IsInherited = $false; Deny = $false }) }
                else { @([pscustomobject]@{ User = 'T'; AccessRights = @('FullAccess'); IsInherited = $true; Deny = $false }) }
            }
            Mock Get-TransportConfig { [pscustomobject]@{ SmtpClientAuthenticationDisabled = $false } }
            Mock Get-ManagementRoleAssignment { @([pscustomobject]@{ Name = 'mine'; Role = 'Application Mail.Send'; RoleAssignee = 'T' }, [pscustomobject]@{ Name = 'theirs'; Role = 'Application Mail.Send'; RoleAssignee = 'U' }) }
            Mock Get-ApplicationAccessPolicy { @([pscustomobject]@{ Identity = 'p1'; AppId = @('a'); AccessRight = 'RestrictAccess'; ScopeName = 'EDI' }, [pscustomobject]@{ Identity = 'p2'; AppId = @('b') }) }
        }
    }

    It 'reads the app''s registration (naming which object ID it holds), its explicit grants, role assignments and policies, and nobody else''s' {
        InModuleScope ExchangeMailAccess {
            $reading = Read-ExchangeAppSetup -AppId 'a' -ServicePrincipalObjectId 'sp-object' -ApplicationObjectId 'app-object'
            @($reading.servicePrincipals).Count | Should -Be 1
            $reading.servicePrincipals[0].objectIdIs | Should -Be 'appRegistration'
            @($reading.mailboxes).Count | Should -Be 1 -Because 'an inherited entry is not a grant'
            $reading.mailboxes[0].address | Should -Be 'edi@contoso.com'
            $reading.mailboxes[0].fullAccess | Should -Be @('T')
            $reading.mailboxes[0].sendAs | Should -Be @('T')
            $reading.mailboxes[0].popEnabled | Should -BeTrue
            $reading.organizationSmtpClientAuthenticationDisabled | Should -BeFalse
            @($reading.managementRoleAssignments | ForEach-Object { $_.name }) | Should -Be @('mine')
            @($reading.applicationAccessPolicies | ForEach-Object { $_.identity }) | Should -Be @('p1')
            Should -Invoke Get-RecipientPermission -Times 1 -Exactly -ParameterFilter { $Trustee -eq 'T' -and $null -eq $Identity }
        }
    }

    It 'reads only the mailboxes asked for, and no grant without a registration' {
        InModuleScope ExchangeMailAccess {
            Mock Get-ServicePrincipal { @() }
            $reading = Read-ExchangeAppSetup -AppId 'a' -Mailboxes @('x@contoso.com')
            @($reading.mailboxes).Count | Should -Be 1
            @($reading.mailboxes[0].fullAccess).Count | Should -Be 0
            Should -Invoke Get-MailboxPermission -Times 0 -Exactly
            Should -Invoke Get-Mailbox -Times 1 -Exactly -ParameterFilter { $Identity -eq 'x@contoso.com' }
        }
    }
}
