<?php
/**
 * Installs a WordPress copy as its installer does (wp_install()), with an administrator
 * whose admin screens speak a given locale. Called by wordpress.sh.
 *
 * Usage: php install.php WP_DIR ADMIN PASSWORD LOCALE
 *
 * @package SwitchboardChat
 */

if ( $argc !== 5 ) {
	fwrite( STDERR, "usage: php install.php WP_DIR ADMIN PASSWORD LOCALE\n" );
	exit( 2 );
}
list( , $wp_dir, $admin, $password, $locale ) = $argv;

// The installer mails the new administrator; this machine has no mail to send it with.
function wp_mail() {
	return true;
}

define( 'WP_INSTALLING', true );
require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$installed = wp_install( 'Switchboard test', $admin, $admin . '@example.com', true, '', $password );
// The site stays in English; only this administrator's screens change language, as
// Profile → Language does.
update_user_meta( $installed['user_id'], 'locale', 'en_US' === $locale ? '' : $locale );
echo "WordPress installed at " . home_url( '/' ) . " for {$admin} ({$locale})\n";
