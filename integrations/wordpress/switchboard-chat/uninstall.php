<?php
/**
 * Removes the plugin's data when it is deleted from the Plugins screen.
 *
 * @package SwitchboardChat
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

delete_option( 'switchboard_chat' );
