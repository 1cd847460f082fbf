/**
 * The Exchange changes a mailbox can get, one entry each: the access plan's field, the cmdlet and what it sets, and
 * what it lets the app do in an admin's words. The plan, the environment handed to PowerShell and the offline review
 * all read this list, so a new setting is added here and in the PowerShell's one table
 * ($script:MailboxSettingNames and $script:DesiredMailboxFlags in scripts/ExchangeMailAccess/ExchangeMailAccess.psm1), nowhere else.
 */
export const mailboxSettings = [
    {
        key: "fullAccess",
        cmdlet: "Add-MailboxPermission",
        right: "FullAccess",
        reason: "the app can read and delete every item of the mailbox (no auto-mapping: it does not appear in anyone's Outlook)",
    },
    { key: "sendAs", cmdlet: "Add-RecipientPermission", right: "SendAs", reason: "the app can send mail as the mailbox" },
    {
        key: "groupMember",
        cmdlet: "Add-DistributionGroupMember",
        right: "member of the appRbac group",
        reason: "the app can send mail as the mailbox through RBAC for Applications",
    },
    { key: "smtpClientAuth", cmdlet: "Set-CASMailbox", right: "SmtpClientAuthenticationDisabled $false", reason: "SMTP AUTH on for this mailbox" },
    {
        key: "smtpClientAuthOrganization",
        cmdlet: "Set-CASMailbox",
        right: "SmtpClientAuthenticationDisabled $null (if it is $true)",
        reason: "the mailbox follows the organization's SMTP AUTH setting",
    },
    { key: "imapEnabled", cmdlet: "Set-CASMailbox", right: "ImapEnabled $true", reason: "IMAP on for this mailbox" },
    { key: "popEnabled", cmdlet: "Set-CASMailbox", right: "PopEnabled $true", reason: "POP3 on for this mailbox" },
] as const;

export type MailboxSettingKey = (typeof mailboxSettings)[number]["key"];

/** Which of the settings one mailbox gets. */
export type MailboxSettingFlags = { readonly [Key in MailboxSettingKey]: boolean };

/** The flags alone, in the list's order (what the Exchange scripts receive per mailbox). */
export function settingFlags(source: MailboxSettingFlags): MailboxSettingFlags {
    return Object.fromEntries(mailboxSettings.map((setting) => [setting.key, source[setting.key]])) as unknown as MailboxSettingFlags;
}
