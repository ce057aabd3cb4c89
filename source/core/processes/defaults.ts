import type {WhitelistRule} from './rules.js';

type DefaultRule = Pick<WhitelistRule, 'id' | 'kind' | 'value' | 'reason'>;

/** argv[0] as a bare name or a path ending in one of `names`, then a space, ':' or the end. */
function leadingProgram(names: string[]): string {
	return `^(\\S*/)?(${names.join('|')})(:| |$)`;
}

/**
 * Protection written to .cws/whitelist.json the first time it is read; the
 * person may edit or remove any of these. Several programs rewrite their
 * argv (sshd shows "sshd: alice@pts/0", the tmux server "tmux: server
 * (/tmp/tmux-1000/default)", screen's "SCREEN"), so those match the start of
 * the command line, not argv[0]'s basename, or they would lose protection
 * the moment they start. `sh`/`dash` are left out on purpose: they are what
 * `npm run dev` and friends wrap a dev server in, and protecting the wrapper
 * would keep exactly what cleanup is for alive.
 */
const DEFAULT_RULES: DefaultRule[] = [
	...['bash', 'zsh', 'fish', 'ksh', 'tcsh', 'csh', 'nu'].map(name => ({
		id: `default-shell-${name}`,
		kind: 'name' as const,
		value: name,
		reason: `interactive shell (${name})`,
	})),
	{id: 'default-tmux', kind: 'cmdline', value: leadingProgram(['tmux']), reason: 'terminal multiplexer (tmux)'},
	{id: 'default-screen', kind: 'cmdline', value: leadingProgram(['screen', 'SCREEN']), reason: 'terminal multiplexer (screen)'},
	{id: 'default-sshd', kind: 'cmdline', value: leadingProgram(['sshd', 'sshd-session']), reason: 'SSH server and its sessions'},
	...['vi', 'vim', 'nvim', 'emacs', 'emacsclient', 'code'].map(name => ({
		id: `default-editor-${name}`,
		kind: 'name' as const,
		value: name,
		reason: `editor (${name})`,
	})),
	{id: 'default-vscode-server', kind: 'cmdline', value: '/\\.vscode-server/', reason: 'editor (VS Code remote server)'},
	{id: 'default-claude', kind: 'name', value: 'claude', reason: 'Claude Code session'},
	{id: 'default-cws', kind: 'cmdline', value: '(^|[ /])cws( |$)', reason: 'cws itself (TUI or queue worker)'},
	{id: 'default-systemd', kind: 'cmdline', value: leadingProgram(['systemd', 'systemd-[a-z-]+']), reason: 'system service (systemd)'},
	{
		id: 'default-system-services',
		kind: 'cmdline',
		value: leadingProgram(['init', 'dbus-daemon', 'dbus-broker', 'cron', 'crond', 'rsyslogd', 'containerd', 'dockerd', 'polkitd', 'NetworkManager', 'udevd']),
		reason: 'system service',
	},
];

/** The default rules, stamped with `createdAt`. */
export function defaultRules(now = new Date()): WhitelistRule[] {
	const createdAt = now.toISOString();
	return DEFAULT_RULES.map(rule => ({...rule, origin: 'default', createdAt}));
}
