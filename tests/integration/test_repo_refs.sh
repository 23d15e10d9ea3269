#!/usr/bin/env bash
# test-lock: none
# The repository explains itself: no file in it points at notes kept outside
# it (a conventions, design, reference or style file of the team, a shared
# directory).  What the code relies on is written in docs/ (conventions.md,
# design.md, format.md).  Needs no root; reads only tracked files.
. "$(dirname "$0")/lib.sh"
need_cmd git
cd "$ROOT" || fail "cannot cd to $ROOT"
git rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"

self=tests/integration/$(basename "$0")
# names of notes that live outside the repository; docs/ spells its own in lower case
hits=$(git ls-files -z -- ':!'"$self" | xargs -0 grep -nIE \
	'(^|[^a-z/._-])(CONVENTIONS|DESIGN|REFERENCE|STYLE)\.md|/work/shared|\.\./shared/' 2>/dev/null |
	head -n 5)
[ -z "$hits" ] || fail "points outside the repository: $(echo "$hits" | tr '\n' ' ')"
for f in docs/conventions.md docs/design.md docs/format.md; do
	[ -s "$f" ] || fail "$f is missing"
done
exit 0
