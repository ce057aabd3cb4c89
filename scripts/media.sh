#!/usr/bin/env bash
# Captures each pane of cws at 80×24 from a real run on the demo workspace,
# as plain text files in media/ (what a terminal of that size shows).
#   npm run media
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "media: tmux is needed (apt-get install tmux)" >&2; exit 1; }

npm run --silent build
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cws-media-XXXXXX")
session="cws-media-$$"
sleeper=
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null || true
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT

export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config"
mkdir -p "$HOME"
workspace=$(node dist/cli.js demo --build-only | sed -n 's/^Open it with: cws --workspace //p')
[ -n "$workspace" ] || { echo "media: the demo workspace was not built" >&2; exit 1; }

# A stand-in dev server inside a project, so the process pane has something to show.
(cd "$workspace/active/api-gateway" && exec sleep 300) &
sleeper=$!

tmux new-session -d -s "$session" -x 80 -y 24 \
	"HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' CI=false node dist/cli.js --workspace '$workspace'"

# Waits until the screen shows the given text, then writes it to media/<name>.txt.
capture() {
	local name=$1 text=$2
	for _ in $(seq 1 50); do
		if tmux capture-pane -t "$session" -p | grep -qF -- "$text"; then
			sleep 0.3
			tmux capture-pane -t "$session" -p >"media/$name.txt"
			echo "media/$name.txt"
			return
		fi
		sleep 0.2
	done
	echo "media: '$text' never appeared for $name" >&2
	exit 1
}

mkdir -p media
capture board-80x24 'billing-service'
tmux send-keys -t "$session" l l j s
capture queue-80x24 'done'
tmux send-keys -t "$session" 3
capture processes-80x24 'sleep 300'
tmux send-keys -t "$session" 1 '?'
capture help-80x24 'Help'
tmux send-keys -t "$session" C-g ':' 'cex'
capture palette-80x24 'cexit'
tmux send-keys -t "$session" C-u C-g
