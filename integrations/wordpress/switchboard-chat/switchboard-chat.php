<?php
/**
 * Plugin Name:       Switchboard Chat
 * Description:       Adds the Switchboard live-chat widget to every page of your site.
 * Version:           1.0.0
 * Requires at least: 5.8
 * Requires PHP:      7.4
 * License:           MIT
 * License URI:       https://opensource.org/licenses/MIT
 * Text Domain:       switchboard-chat
 * Domain Path:       /languages
 *
 * @package SwitchboardChat
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'SWITCHBOARD_CHAT_VERSION', '1.0.0' );
define( 'SWITCHBOARD_CHAT_OPTION', 'switchboard_chat' );
define( 'SWITCHBOARD_CHAT_PAGE', 'switchboard-chat' );

/**
 * Loads the plugin's translations from its own languages/ folder: it is not on
 * WordPress.org, so WordPress would only look in wp-content/languages/plugins/.
 */
function switchboard_chat_load_textdomain() {
	load_plugin_textdomain( 'switchboard-chat', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}
add_action( 'init', 'switchboard_chat_load_textdomain' );

/**
 * Default option values.
 *
 * @return array{server_url: string, site_key: string}
 */
function switchboard_chat_defaults() {
	return array(
		'server_url' => '',
		'site_key'   => '',
	);
}

/**
 * Returns the stored settings merged with the defaults.
 *
 * @return array{server_url: string, site_key: string}
 */
function switchboard_chat_get_settings() {
	$settings = get_option( SWITCHBOARD_CHAT_OPTION, array() );
	if ( ! is_array( $settings ) ) {
		$settings = array();
	}
	$settings = wp_parse_args( $settings, switchboard_chat_defaults() );

	return array(
		'server_url' => is_string( $settings['server_url'] ) ? $settings['server_url'] : '',
		'site_key'   => is_string( $settings['site_key'] ) ? $settings['site_key'] : '',
	);
}

/**
 * Validates and normalises a Switchboard server address.
 *
 * Accepts only absolute http(s) URLs with a host and without query string,
 * fragment or credentials. Trailing slashes are removed.
 *
 * @param mixed $url Raw value.
 * @return string Normalised URL, or '' when invalid.
 */
function switchboard_chat_normalize_server_url( $url ) {
	if ( ! is_string( $url ) ) {
		return '';
	}
	$url = trim( $url );
	if ( '' === $url || ! preg_match( '#^https?://#i', $url ) ) {
		return '';
	}

	$url = esc_url_raw( $url, array( 'http', 'https' ) );
	if ( '' === $url ) {
		return '';
	}

	$parts = wp_parse_url( $url );
	if (
		! is_array( $parts )
		|| empty( $parts['scheme'] )
		|| ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true )
		|| empty( $parts['host'] )
		|| isset( $parts['query'] )
		|| isset( $parts['fragment'] )
		|| isset( $parts['user'] )
		|| isset( $parts['pass'] )
	) {
		return '';
	}

	return untrailingslashit( $url );
}

/**
 * Whether a value is a well-formed public site key.
 *
 * @param mixed $key Raw value.
 * @return bool
 */
function switchboard_chat_is_valid_site_key( $key ) {
	return is_string( $key ) && 1 === preg_match( '/^[A-Za-z0-9_-]{16,64}$/', $key );
}

/**
 * Sanitize callback for the `switchboard_chat` option.
 *
 * Empty fields are accepted (they switch the widget off). Invalid values are
 * rejected: the previously saved value is kept and a settings error is shown.
 *
 * @param mixed $input Submitted value.
 * @return array{server_url: string, site_key: string}
 */
function switchboard_chat_sanitize_settings( $input ) {
	$previous = switchboard_chat_get_settings();
	$output   = $previous;

	if ( ! is_array( $input ) ) {
		return $previous;
	}

	// Server address.
	$raw_url = isset( $input['server_url'] ) && is_string( $input['server_url'] ) ? trim( $input['server_url'] ) : '';
	if ( '' === $raw_url ) {
		$output['server_url'] = '';
	} else {
		$url = switchboard_chat_normalize_server_url( $raw_url );
		if ( '' === $url ) {
			add_settings_error(
				SWITCHBOARD_CHAT_OPTION,
				'switchboard_chat_invalid_server_url',
				__( 'Switchboard address: please enter a full http:// or https:// address without query string, for example https://chat.example.com. The previous value was kept.', 'switchboard-chat' ),
				'error'
			);
		} else {
			$output['server_url'] = $url;
		}
	}

	// Site key.
	$raw_key = isset( $input['site_key'] ) && is_string( $input['site_key'] ) ? trim( $input['site_key'] ) : '';
	if ( '' === $raw_key ) {
		$output['site_key'] = '';
	} elseif ( ! switchboard_chat_is_valid_site_key( $raw_key ) ) {
		add_settings_error(
			SWITCHBOARD_CHAT_OPTION,
			'switchboard_chat_invalid_site_key',
			__( 'Site key: it must be 16 to 64 characters long and contain only letters, digits, underscores (_) and hyphens (-). The previous value was kept.', 'switchboard-chat' ),
			'error'
		);
	} else {
		$output['site_key'] = $raw_key;
	}

	return $output;
}

/**
 * Registers the setting, its section and its fields.
 */
function switchboard_chat_register_settings() {
	register_setting(
		SWITCHBOARD_CHAT_OPTION,
		SWITCHBOARD_CHAT_OPTION,
		array(
			'type'              => 'array',
			'description'       => __( 'Switchboard Chat widget settings.', 'switchboard-chat' ),
			'sanitize_callback' => 'switchboard_chat_sanitize_settings',
			'show_in_rest'      => false,
			'default'           => switchboard_chat_defaults(),
		)
	);

	add_settings_section(
		'switchboard_chat_main',
		__( 'Widget', 'switchboard-chat' ),
		'switchboard_chat_render_section',
		SWITCHBOARD_CHAT_PAGE
	);

	add_settings_field(
		'switchboard_chat_server_url',
		__( 'Switchboard address', 'switchboard-chat' ),
		'switchboard_chat_render_server_url_field',
		SWITCHBOARD_CHAT_PAGE,
		'switchboard_chat_main',
		array( 'label_for' => 'switchboard_chat_server_url' )
	);

	add_settings_field(
		'switchboard_chat_site_key',
		__( 'Site key', 'switchboard-chat' ),
		'switchboard_chat_render_site_key_field',
		SWITCHBOARD_CHAT_PAGE,
		'switchboard_chat_main',
		array( 'label_for' => 'switchboard_chat_site_key' )
	);
}
add_action( 'admin_init', 'switchboard_chat_register_settings' );

/**
 * Adds Settings → Switchboard Chat.
 */
function switchboard_chat_add_settings_page() {
	add_options_page(
		__( 'Switchboard Chat', 'switchboard-chat' ),
		__( 'Switchboard Chat', 'switchboard-chat' ),
		'manage_options',
		SWITCHBOARD_CHAT_PAGE,
		'switchboard_chat_render_settings_page'
	);
}
add_action( 'admin_menu', 'switchboard_chat_add_settings_page' );

/**
 * Section intro text.
 */
function switchboard_chat_render_section() {
	echo '<p>' . esc_html__( 'Copy both values from the "Manual installation" page of your Switchboard site. The chat widget is shown on every page once both are set.', 'switchboard-chat' ) . '</p>';
}

/**
 * Server address field.
 */
function switchboard_chat_render_server_url_field() {
	$settings = switchboard_chat_get_settings();
	printf(
		'<input type="url" id="switchboard_chat_server_url" name="%1$s[server_url]" value="%2$s" class="regular-text code" placeholder="https://chat.example.com" />',
		esc_attr( SWITCHBOARD_CHAT_OPTION ),
		esc_attr( $settings['server_url'] )
	);
	echo '<p class="description">' . esc_html__( 'The address of your Switchboard server, starting with https://.', 'switchboard-chat' ) . '</p>';
}

/**
 * Site key field.
 */
function switchboard_chat_render_site_key_field() {
	$settings = switchboard_chat_get_settings();
	printf(
		'<input type="text" id="switchboard_chat_site_key" name="%1$s[site_key]" value="%2$s" class="regular-text code" pattern="[A-Za-z0-9_\-]{16,64}" autocomplete="off" spellcheck="false" />',
		esc_attr( SWITCHBOARD_CHAT_OPTION ),
		esc_attr( $settings['site_key'] )
	);
	echo '<p class="description">' . esc_html__( 'The public widget key of this site: 16 to 64 letters, digits, "_" or "-".', 'switchboard-chat' ) . '</p>';
}

/**
 * Renders the options page. Settings errors are printed by WordPress itself
 * (options-head.php) for pages under Settings.
 */
function switchboard_chat_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	?>
	<div class="wrap">
		<h1><?php echo esc_html( get_admin_page_title() ); ?></h1>
		<form action="options.php" method="post">
			<?php
			settings_fields( SWITCHBOARD_CHAT_OPTION );
			do_settings_sections( SWITCHBOARD_CHAT_PAGE );
			submit_button();
			?>
		</form>
	</div>
	<?php
}

/**
 * Adds a "Settings" link to the plugin's row on the Plugins screen.
 *
 * @param string[] $links Existing action links.
 * @return string[]
 */
function switchboard_chat_action_links( $links ) {
	$settings_link = sprintf(
		'<a href="%1$s">%2$s</a>',
		esc_url( admin_url( 'options-general.php?page=' . SWITCHBOARD_CHAT_PAGE ) ),
		esc_html__( 'Settings', 'switchboard-chat' )
	);
	array_unshift( $links, $settings_link );

	return $links;
}
add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), 'switchboard_chat_action_links' );

/**
 * Prints the Switchboard installation snippet before </body>.
 */
function switchboard_chat_print_widget() {
	if ( is_admin() ) {
		return;
	}

	$settings = switchboard_chat_get_settings();
	$server   = switchboard_chat_normalize_server_url( $settings['server_url'] );
	$site_key = $settings['site_key'];

	// Re-validate on output too: the option may have been written directly (WP-CLI, database).
	if ( '' === $server || ! switchboard_chat_is_valid_site_key( $site_key ) ) {
		return;
	}

	/**
	 * Filters whether the Switchboard widget is printed on the current page.
	 *
	 * @param bool $show Default true.
	 */
	if ( ! apply_filters( 'switchboard_chat_show_widget', true ) ) {
		return;
	}

	printf(
		'<script async src="%1$s" data-switchboard-site="%2$s"></script>' . "\n", // phpcs:ignore WordPress.WP.EnqueuedResources.NonEnqueuedScript -- Switchboard's installation snippet needs its data attribute verbatim.
		esc_url( $server . '/widget.js' ),
		esc_attr( $site_key )
	);
}
add_action( 'wp_footer', 'switchboard_chat_print_widget' );
