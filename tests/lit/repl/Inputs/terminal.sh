#!/usr/bin/env bash
# Drives `hebb repl` in a real terminal (tmux): typing with line editing,
# tab completion, a multi-line declaration, a run with its progress line.
# Prints the screen at the end.
set -euo pipefail
hebb=$1
work=$2
session=hebb-repl-test-$$
export HOME=$work # the history file goes here
mkdir -p "$work"
tmux kill-session -t "$session" 2>/dev/null || true
tmux new-session -d -s "$session" -x 120 -y 40 "$hebb repl --set dt=1ms"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
wait_for() { # text
  for _ in $(seq 1 100); do
    tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for: $1" >&2
  tmux capture-pane -p -t "$session" >&2
  return 1
}
wait_prompts() { # n: until the screen shows n prompts (typing before the
  # prompt is back races the terminal's own echo)
  for _ in $(seq 1 100); do
    [ "$(tmux capture-pane -p -t "$session" | grep -c '^hebb>')" -ge "$1" ] &&
      return 0
    sleep 0.1
  done
  echo "timed out waiting for prompt $1" >&2
  tmux capture-pane -p -t "$session" >&2
  return 1
}
wait_for "hebb>"
tmux send-keys -t "$session" 'neuron Ramp(slope = 2) {' Enter
wait_for "  ..."
tmux send-keys -t "$session" '  var r = 0' Enter '  update { r = r + slope }' Enter '}' Enter
wait_prompts 2
tmux send-keys -t "$session" 'population ramp[3]: Ramp' Enter
wait_for "compiled ramp"
wait_prompts 3
# Completion of a member: `ramp.sl` + Tab becomes `ramp.slope`.
tmux send-keys -t "$session" 'set ramp.sl' Tab ' = 5' Enter
wait_prompts 4
# Line editing: type a typo, move left, fix it.
tmux send-keys -t "$session" 'run 3 mz' BSpace 's' Enter
wait_for "ran 0.003 s"
wait_prompts 5
tmux send-keys -t "$session" 'print ramp.r' Enter
wait_for "[15"
wait_prompts 6
# A long run shows the progress line; Ctrl-C stops it at a step boundary.
tmux send-keys -t "$session" 'run 100000 s' Enter
wait_for "real time)"
tmux send-keys -t "$session" C-c
wait_for "interrupted at t ="
wait_prompts 7
tmux send-keys -t "$session" 'print ramp.slope' Enter
wait_for "no variable 'slope'"
tmux capture-pane -p -t "$session" -S -100
tmux send-keys -t "$session" ':quit' Enter
for _ in $(seq 1 50); do
  tmux has-session -t "$session" 2>/dev/null || break
  sleep 0.1
done
test -s "$work/.hebb_history" && echo "history: $(wc -l < "$work/.hebb_history") lines"
