<# Applies one succeeded operation's effect to the record it belongs to. #>
function Complete-Operation {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][hashtable] $Record,
        [Parameter(Mandatory)][hashtable] $Operation
    )
    $effect = $Operation.effect
    if ($effect.ContainsKey('owns')) { $Record.owns[$effect.owns] = $effect.value }
    if ($effect.ContainsKey('before')) { $Record.before[$effect.before] = $effect.value }
    if ($effect.ContainsKey('release')) { $Record.before.Remove($effect.release) }
    if ($effect.ContainsKey('rbac')) {
        $Record.owns[$effect.rbac] = $effect.value
        if ($effect.ContainsKey('app')) { $Record.app = $effect.app }
    }
    if ($effect.ContainsKey('organization')) {
        $Record.owned = $effect.organization.owned
        $Record.before = $effect.organization.before
    }
}
