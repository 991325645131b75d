#!/usr/bin/env bash
# A throwaway real WordPress (Debian's `wordpress` package) for the plugin's end-to-end test:
#
#   wordpress.sh up DIR PORT ADMIN PASSWORD LOCALE   a database and user of its own in
#       MariaDB (started when it is not running), a copy of /usr/share/wordpress in DIR/wp
#       with its own wp-config.php and wp-content, installed for http://127.0.0.1:PORT with
#       the administrator ADMIN whose admin screens speak LOCALE (en_US, fr_FR…)
#   wordpress.sh down DIR    drops that database and user, removes DIR
#
# Serve it with: php -S 127.0.0.1:PORT -t DIR/wp
# Needs: wordpress wordpress-l10n php-mysql mariadb-server (./dev test installs them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
core=/usr/share/wordpress

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
sql() { as_root mariadb --protocol=socket -uroot -e "$1"; }

# CI starts from a clean machine where nothing started MariaDB; no systemd in containers.
ensure_mariadb() {
	as_root mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1 && return 0
	command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || {
		echo "MariaDB is not installed: apt-get install -y mariadb-server" >&2
		exit 1
	}
	as_root service mariadb start >/dev/null 2>&1 || {
		as_root install -d -o mysql -g mysql /run/mysqld
		as_root setsid /usr/sbin/mariadbd --user=mysql </dev/null >/dev/null 2>&1 &
	}
	for _ in $(seq 1 100); do
		as_root mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "MariaDB did not start" >&2
	exit 1
}

up() {
	local dir="$1" port="$2" admin="$3" password="$4" locale="$5"
	[ -f "$core/wp-settings.php" ] || {
		echo "WordPress is not installed: apt-get install -y wordpress wordpress-l10n php-mysql" >&2
		exit 1
	}
	ensure_mariadb
	mkdir -p "$dir"
	local name db_password
	name="sbwp_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
	db_password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	echo "$name" >"$dir/database" # for `down`, written first so a failure below is cleaned up too
	sql "CREATE DATABASE $name CHARACTER SET utf8mb4; CREATE USER '$name'@'localhost' IDENTIFIED BY '$db_password'; GRANT ALL ON $name.* TO '$name'@'localhost';"

	# A copy, not symlinks: PHP resolves __FILE__ through links, and WordPress finds its
	# wp-config.php next to the real wp-load.php, which is Debian's (config in /etc/wordpress).
	mkdir -p "$dir/wp/wp-content/plugins"
	cp -a "$core/wp-admin" "$core/wp-includes" "$core"/*.php "$dir/wp/"
	cp -a "$core/wp-content/themes" "$dir/wp/wp-content/"
	cat >"$dir/wp/wp-config.php" <<PHP
<?php
define( 'DB_NAME', '$name' );
define( 'DB_USER', '$name' );
define( 'DB_PASSWORD', '$db_password' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_HOME', 'http://127.0.0.1:$port' );
define( 'WP_SITEURL', 'http://127.0.0.1:$port' );
// Debian's translations of WordPress itself (wordpress-l10n), read in place.
define( 'WP_LANG_DIR', '$core/wp-content/languages' );
// Plugins unpack straight into wp-content, no FTP form.
define( 'FS_METHOD', 'direct' );
// Offline and quick: no calls to wordpress.org, no cron or update checks.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_DEBUG', false );
\$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP
	php "$here/install.php" "$dir/wp" "$admin" "$password" "$locale"
}

down() {
	local dir="$1"
	if [ -f "$dir/database" ]; then
		local name
		name="$(cat "$dir/database")"
		sql "DROP DATABASE IF EXISTS $name; DROP USER IF EXISTS '$name'@'localhost';"
	fi
	rm -rf "$dir"
}

case "${1:-}" in
	up) shift; up "$@" ;;
	down) shift; down "$@" ;;
	*) echo "usage: wordpress.sh up DIR PORT ADMIN PASSWORD LOCALE | down DIR" >&2; exit 2 ;;
esac
