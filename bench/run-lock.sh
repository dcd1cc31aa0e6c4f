# Sourced by the bench scripts (needs their `die`): lock_run KEY WHAT takes a lock per KEY for
# the whole run, or dies naming WHAT and the holder.
#
# One run per namespace prefix and per work directory at a time: cleanup kills every process in the
# prefix's namespaces and the setup empties the work directory, so a second run with the same prefix
# killed the first one's gateway (a SIGTERM during its start left an empty gateway.log), or the first
# run's exit killed the second's. Taken before the EXIT trap, so a refused run touches nothing.
lock_run() {
  local dir=/run/lock f fd
  [ -d "$dir" ] && [ -w "$dir" ] || dir=/tmp
  f="$dir/vpngw-bench-$(printf %s "$1" | tr -c 'A-Za-z0-9_.-' '_').lock"
  exec {fd}>>"$f" || die "cannot open the lock file $f"
  if ! flock -n "$fd"; then
    die "another bench run uses $2 (lock $f, held since: $(cat "$f" 2>/dev/null)); wait for it to end, or give this run its own prefix and work directory"
  fi
  printf '%s pid %s (%s)\n' "$(date +%T)" "$$" "$0" > "$f"
}
