#!/usr/bin/env bash
# Lints every plugin PHP file, then runs the plain-PHP render test.
# Usage: bash integrations/wordpress/tests/run.sh   (from any directory)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v php >/dev/null 2>&1; then
	echo "php not found: install the PHP CLI (e.g. apt-get install -y php-cli)" >&2
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

php tests/render_test.php
