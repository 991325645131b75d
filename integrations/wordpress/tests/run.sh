#!/usr/bin/env bash
# Lints every plugin PHP file, checks the French translation is complete and its .mo
# compiled from the .po, then runs the plain-PHP render test.
# Usage: bash integrations/wordpress/tests/run.sh   (from any directory)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v php >/dev/null 2>&1; then
	echo "php not found: install the PHP CLI (e.g. apt-get install -y php-cli)" >&2
	exit 1
fi
if ! command -v msgfmt >/dev/null 2>&1; then
	echo "msgfmt not found: install gettext (e.g. apt-get install -y gettext)" >&2
	exit 1
fi

mapfile -t php_files < <(find switchboard-chat -type f -name '*.php' | sort)
if [ "${#php_files[@]}" -eq 0 ]; then
	echo "no PHP files found under switchboard-chat/" >&2
	exit 1
fi

for file in "${php_files[@]}"; do
	php -l "$file"
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
po=switchboard-chat/languages/switchboard-chat-fr_FR.po
mo=switchboard-chat/languages/switchboard-chat-fr_FR.mo

# Every string the plugin translates has a French translation.
xgettext --language=PHP --from-code=UTF-8 --keyword=__ --keyword=esc_html__ --keyword=esc_attr__ \
	-o "$tmp/switchboard-chat.pot" "${php_files[@]}"
if ! msgcmp "$po" "$tmp/switchboard-chat.pot" 2>"$tmp/msgcmp.log"; then
	cat "$tmp/msgcmp.log" >&2
	echo "FAIL - $po lacks translations (above)" >&2
	exit 1
fi

# The shipped .mo says what the .po says. Compared decompiled, so another gettext
# version laying the binary out differently does not fail the check.
msgfmt --check-format -o "$tmp/fresh.mo" "$po"
if ! diff <(msgunfmt "$tmp/fresh.mo") <(msgunfmt "$mo") >&2; then
	echo "FAIL - $mo is stale: run msgfmt -o $mo $po" >&2
	exit 1
fi
echo "ok   - $mo is compiled from $po, which translates every string"

php tests/render_test.php
