<?php
/**
 * Plain-PHP tests for the Switchboard Chat plugin. No WordPress needed:
 * the WordPress functions the plugin calls are stubbed below.
 *
 * Run: php tests/render_test.php (from integrations/wordpress/).
 */

error_reporting( E_ALL );
ini_set( 'display_errors', '1' );
set_error_handler(
	static function ( $severity, $message, $file, $line ) {
		throw new ErrorException( $message, 0, $severity, $file, $line );
	}
);

define( 'ABSPATH', __DIR__ . '/fake-wordpress/' );

$plugin_file = dirname( __DIR__ ) . '/switchboard-chat/switchboard-chat.php';
$uninstall_file = dirname( __DIR__ ) . '/switchboard-chat/uninstall.php';

// ---------------------------------------------------------------------------
// Fake WordPress state.
// ---------------------------------------------------------------------------
$GLOBALS['wp_test'] = array(
	'hooks'           => array(), // hook name => list of callbacks.
	'options'         => array(),
	'settings'        => array(), // register_setting() args by option name.
	'sections'        => array(), // page => section id => section.
	'fields'          => array(), // page => section id => field id => field.
	'settings_errors' => array(),
	'pages'           => array(),
	'is_admin'        => false,
	'caps'            => array( 'manage_options' => true ),
);

function wp_test_reset_state() {
	$GLOBALS['wp_test']['options']         = array();
	$GLOBALS['wp_test']['settings_errors'] = array();
	$GLOBALS['wp_test']['is_admin']        = false;
}

// Hooks ----------------------------------------------------------------------
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['wp_test']['hooks'][ $hook ][] = array(
		'callback'      => $callback,
		'priority'      => $priority,
		'accepted_args' => $accepted_args,
	);
	return true;
}
function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	return add_filter( $hook, $callback, $priority, $accepted_args );
}
function wp_test_callbacks( $hook ) {
	$callbacks = isset( $GLOBALS['wp_test']['hooks'][ $hook ] ) ? $GLOBALS['wp_test']['hooks'][ $hook ] : array();
	usort(
		$callbacks,
		static function ( $a, $b ) {
			return $a['priority'] <=> $b['priority'];
		}
	);
	return $callbacks;
}
function apply_filters( $hook, $value, ...$args ) {
	foreach ( wp_test_callbacks( $hook ) as $cb ) {
		$all   = array_merge( array( $value ), $args );
		$value = call_user_func_array( $cb['callback'], array_slice( $all, 0, max( 1, $cb['accepted_args'] ) ) );
	}
	return $value;
}
function do_action( $hook, ...$args ) {
	foreach ( wp_test_callbacks( $hook ) as $cb ) {
		call_user_func_array( $cb['callback'], array_slice( $args, 0, $cb['accepted_args'] ) );
	}
}

// Options --------------------------------------------------------------------
function get_option( $name, $default = false ) {
	if ( array_key_exists( $name, $GLOBALS['wp_test']['options'] ) ) {
		return $GLOBALS['wp_test']['options'][ $name ];
	}
	if ( func_num_args() < 2 && isset( $GLOBALS['wp_test']['settings'][ $name ]['default'] ) ) {
		return $GLOBALS['wp_test']['settings'][ $name ]['default'];
	}
	return $default;
}
function sanitize_option( $name, $value ) {
	$args = isset( $GLOBALS['wp_test']['settings'][ $name ] ) ? $GLOBALS['wp_test']['settings'][ $name ] : array();
	if ( ! empty( $args['sanitize_callback'] ) ) {
		$value = call_user_func( $args['sanitize_callback'], $value );
	}
	return $value;
}
function add_option( $name, $value = '' ) {
	if ( array_key_exists( $name, $GLOBALS['wp_test']['options'] ) ) {
		return false;
	}
	$GLOBALS['wp_test']['options'][ $name ] = sanitize_option( $name, $value );
	return true;
}
// Like WordPress: sanitizes, and when the option does not exist yet goes
// through add_option(), which sanitizes a second time.
function update_option( $name, $value ) {
	$value = sanitize_option( $name, $value );
	if ( ! array_key_exists( $name, $GLOBALS['wp_test']['options'] ) ) {
		return add_option( $name, $value );
	}
	if ( $GLOBALS['wp_test']['options'][ $name ] === $value ) {
		return false;
	}
	$GLOBALS['wp_test']['options'][ $name ] = $value;
	return true;
}
function delete_option( $name ) {
	$existed = array_key_exists( $name, $GLOBALS['wp_test']['options'] );
	unset( $GLOBALS['wp_test']['options'][ $name ] );
	return $existed;
}
function wp_parse_args( $args, $defaults = array() ) {
	if ( is_object( $args ) ) {
		$args = get_object_vars( $args );
	} elseif ( ! is_array( $args ) ) {
		parse_str( (string) $args, $args );
	}
	return array_merge( $defaults, $args );
}

// Settings API -----------------------------------------------------------------
function register_setting( $group, $name, $args = array() ) {
	if ( is_callable( $args ) ) {
		$args = array( 'sanitize_callback' => $args );
	}
	$args['group']                             = $group;
	$GLOBALS['wp_test']['settings'][ $name ] = $args;
}
function add_settings_section( $id, $title, $callback, $page ) {
	$GLOBALS['wp_test']['sections'][ $page ][ $id ] = compact( 'id', 'title', 'callback' );
}
function add_settings_field( $id, $title, $callback, $page, $section = 'default', $args = array() ) {
	$GLOBALS['wp_test']['fields'][ $page ][ $section ][ $id ] = compact( 'id', 'title', 'callback', 'args' );
}
function add_settings_error( $setting, $code, $message, $type = 'error' ) {
	$GLOBALS['wp_test']['settings_errors'][] = compact( 'setting', 'code', 'message', 'type' );
}
function get_settings_errors( $setting = '' ) {
	return $GLOBALS['wp_test']['settings_errors'];
}
function settings_fields( $group ) {
	echo "<input type='hidden' name='option_page' value='" . esc_attr( $group ) . "' />";
	echo '<input type="hidden" name="action" value="update" />';
	echo '<input type="hidden" id="_wpnonce" name="_wpnonce" value="test-nonce" />';
}
function do_settings_sections( $page ) {
	if ( empty( $GLOBALS['wp_test']['sections'][ $page ] ) ) {
		return;
	}
	foreach ( $GLOBALS['wp_test']['sections'][ $page ] as $section ) {
		if ( $section['title'] ) {
			echo '<h2>' . $section['title'] . "</h2>\n";
		}
		if ( $section['callback'] ) {
			call_user_func( $section['callback'], $section );
		}
		if ( empty( $GLOBALS['wp_test']['fields'][ $page ][ $section['id'] ] ) ) {
			continue;
		}
		echo '<table class="form-table" role="presentation">';
		foreach ( $GLOBALS['wp_test']['fields'][ $page ][ $section['id'] ] as $field ) {
			echo '<tr><th scope="row">';
			if ( ! empty( $field['args']['label_for'] ) ) {
				echo '<label for="' . esc_attr( $field['args']['label_for'] ) . '">' . $field['title'] . '</label>';
			} else {
				echo $field['title'];
			}
			echo '</th><td>';
			call_user_func( $field['callback'], $field['args'] );
			echo '</td></tr>';
		}
		echo '</table>';
	}
}
function submit_button( $text = null ) {
	echo '<p class="submit"><input type="submit" name="submit" id="submit" class="button button-primary" value="' . esc_attr( $text ? $text : 'Save Changes' ) . '" /></p>';
}
function add_options_page( $page_title, $menu_title, $capability, $menu_slug, $callback = '' ) {
	$GLOBALS['wp_test']['pages'][ $menu_slug ] = compact( 'page_title', 'menu_title', 'capability', 'menu_slug', 'callback' );
	return 'settings_page_' . $menu_slug;
}
function get_admin_page_title() {
	$page = reset( $GLOBALS['wp_test']['pages'] );
	return $page ? $page['page_title'] : '';
}

// Escaping / i18n / misc -------------------------------------------------------------
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function __( $text, $domain = 'default' ) {
	return $text;
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}
function esc_attr__( $text, $domain = 'default' ) {
	return esc_attr( $text );
}
// Simplified but faithful to WordPress: strips disallowed characters, only
// keeps allowed protocols, encodes & and ' in display context.
function wp_test_clean_url( $url, $protocols, $display ) {
	$url = trim( str_replace( ' ', '%20', (string) $url ) );
	if ( '' === $url ) {
		return '';
	}
	$url = preg_replace( '|[^a-z0-9-~+_.?#=!&;,/:%@$\|*\'()\[\]\\x80-\\xff]|i', '', $url );
	if ( '' === $url ) {
		return '';
	}
	if ( null === $protocols ) {
		$protocols = array( 'http', 'https', 'ftp', 'ftps', 'mailto', 'news', 'irc', 'gopher', 'nntp', 'feed', 'telnet', 'mms', 'rtsp', 'sms', 'svn', 'tel', 'fax', 'xmpp', 'webcal', 'urn' );
	}
	if ( strpos( $url, ':' ) === false && ! in_array( $url[0], array( '/', '#', '?' ), true ) ) {
		$url = 'http://' . $url;
	}
	if ( preg_match( '/^([a-z][a-z0-9+.-]*):/i', $url, $m ) && ! in_array( strtolower( $m[1] ), $protocols, true ) ) {
		return '';
	}
	if ( $display ) {
		$url = str_replace( array( '&amp;', '&', "'" ), array( '&#038;', '&#038;', '&#039;' ), $url );
	}
	return $url;
}
function esc_url( $url, $protocols = null ) {
	return wp_test_clean_url( $url, $protocols, true );
}
function esc_url_raw( $url, $protocols = null ) {
	return wp_test_clean_url( $url, $protocols, false );
}
function wp_parse_url( $url, $component = -1 ) {
	return parse_url( $url, $component );
}
function untrailingslashit( $value ) {
	return rtrim( $value, '/\\' );
}
function is_admin() {
	return $GLOBALS['wp_test']['is_admin'];
}
function current_user_can( $capability ) {
	return ! empty( $GLOBALS['wp_test']['caps'][ $capability ] );
}
function admin_url( $path = '' ) {
	return 'https://wp.example.org/wp-admin/' . ltrim( $path, '/' );
}
function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}
function load_plugin_textdomain( $domain, $deprecated = false, $plugin_rel_path = false ) {
	$GLOBALS['wp_test']['textdomains'][ $domain ] = $plugin_rel_path;
	return true;
}

// ---------------------------------------------------------------------------
// Tiny assertion helpers.
// ---------------------------------------------------------------------------
$GLOBALS['failures'] = 0;
$GLOBALS['passes']   = 0;

function check( $condition, $description, $detail = '' ) {
	if ( $condition ) {
		$GLOBALS['passes']++;
		echo "ok   - {$description}\n";
	} else {
		$GLOBALS['failures']++;
		echo "FAIL - {$description}\n";
		if ( '' !== $detail ) {
			echo '       ' . str_replace( "\n", "\n       ", $detail ) . "\n";
		}
	}
}
function check_same( $expected, $actual, $description ) {
	check(
		$expected === $actual,
		$description,
		'expected: ' . var_export( $expected, true ) . "\nactual:   " . var_export( $actual, true )
	);
}
function capture( callable $fn ) {
	ob_start();
	try {
		$fn();
	} finally {
		$out = ob_get_clean();
	}
	return $out;
}
function footer_output() {
	return capture(
		static function () {
			do_action( 'wp_footer' );
		}
	);
}
function error_codes() {
	return array_column( $GLOBALS['wp_test']['settings_errors'], 'code' );
}
// Simulates options.php: POSTed values go through update_option().
function submit_settings( array $input ) {
	update_option( 'switchboard_chat', $input );
}

// ---------------------------------------------------------------------------
// Load the plugin and boot the admin hooks once.
// ---------------------------------------------------------------------------
require $plugin_file;

check( ! empty( $GLOBALS['wp_test']['hooks']['wp_footer'] ), 'plugin hooks wp_footer' );
check( ! empty( $GLOBALS['wp_test']['hooks']['admin_init'] ), 'plugin hooks admin_init' );
check( ! empty( $GLOBALS['wp_test']['hooks']['admin_menu'] ), 'plugin hooks admin_menu' );

do_action( 'init' );
do_action( 'admin_menu' );
do_action( 'admin_init' );

// Translations: loaded from the plugin's own folder, where the French .mo ships.
check_same( 'switchboard-chat/languages', $GLOBALS['wp_test']['textdomains']['switchboard-chat'] ?? null, 'init loads the switchboard-chat text domain from languages/' );
check( is_file( dirname( __DIR__ ) . '/switchboard-chat/languages/switchboard-chat-fr_FR.mo' ), 'the French .mo ships in languages/' );

$page = isset( $GLOBALS['wp_test']['pages']['switchboard-chat'] ) ? $GLOBALS['wp_test']['pages']['switchboard-chat'] : null;
check( null !== $page, 'options page "switchboard-chat" registered with add_options_page()' );
check_same( 'Switchboard Chat', $page['menu_title'] ?? null, 'options page menu title' );
check_same( 'manage_options', $page['capability'] ?? null, 'options page capability' );
$setting = $GLOBALS['wp_test']['settings']['switchboard_chat'] ?? null;
check( null !== $setting && is_callable( $setting['sanitize_callback'] ?? null ), 'option "switchboard_chat" registered with a sanitize callback' );
check_same( 'switchboard_chat', $setting['group'] ?? null, 'option registered in settings group "switchboard_chat"' );

$snippet = '<script async src="https://chat.example.com/widget.js" data-switchboard-site="AbCdEf0123456789_-xy"></script>';

// (a) No option set -> nothing printed. ------------------------------------------------
wp_test_reset_state();
check_same( '', footer_output(), '(a) no option set: wp_footer prints nothing' );
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => 'https://chat.example.com', 'site_key' => '' );
check_same( '', footer_output(), '(a) only server_url set: wp_footer prints nothing' );
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => '', 'site_key' => 'AbCdEf0123456789_-xy' );
check_same( '', footer_output(), '(a) only site_key set: wp_footer prints nothing' );

// (b) Valid settings -> exact snippet. ---------------------------------------------------
wp_test_reset_state();
submit_settings( array( 'server_url' => 'https://chat.example.com/', 'site_key' => 'AbCdEf0123456789_-xy' ) );
check_same( array(), error_codes(), '(b) valid settings: no settings error' );
check_same(
	array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' ),
	get_option( 'switchboard_chat' ),
	'(b) valid settings: stored with the trailing slash stripped'
);
check_same( $snippet . "\n", footer_output(), '(b) wp_footer prints exactly the installation snippet' );

wp_test_reset_state();
submit_settings( array( 'server_url' => '  https://chat.example.com/support/  ', 'site_key' => ' AbCdEf0123456789_-xy ' ) );
check_same(
	array( 'server_url' => 'https://chat.example.com/support', 'site_key' => 'AbCdEf0123456789_-xy' ),
	get_option( 'switchboard_chat' ),
	'(b) whitespace trimmed, sub-path kept, trailing slash stripped'
);
check_same(
	'<script async src="https://chat.example.com/support/widget.js" data-switchboard-site="AbCdEf0123456789_-xy"></script>' . "\n",
	footer_output(),
	'(b) sub-path server prints the matching snippet'
);

// (c) Hostile site key. ---------------------------------------------------------------
$hostile = '"><script>alert(1)</script>';
wp_test_reset_state();
submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' ) );
$GLOBALS['wp_test']['settings_errors'] = array();
submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => $hostile ) );
check_same( 'AbCdEf0123456789_-xy', get_option( 'switchboard_chat' )['site_key'], '(c) hostile site key rejected, previous key kept' );
check_same( array( 'switchboard_chat_invalid_site_key' ), error_codes(), '(c) hostile site key records exactly one settings error' );
$message = $GLOBALS['wp_test']['settings_errors'][0]['message'] ?? '';
check( false !== stripos( $message, 'site key' ), '(c) settings error message names the "Site key" field', $message );
check_same( 'switchboard_chat', $GLOBALS['wp_test']['settings_errors'][0]['setting'] ?? null, '(c) settings error attached to the switchboard_chat setting' );
$out = footer_output();
check( false === strpos( $out, 'alert(1)' ) && 1 === substr_count( $out, '<script' ), '(c) hostile key never printed', $out );
check_same( $snippet . "\n", $out, '(c) footer still prints the previous valid snippet' );

// First-ever save (option does not exist yet: WordPress sanitizes twice via add_option).
wp_test_reset_state();
submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => $hostile ) );
check_same( array( 'switchboard_chat_invalid_site_key' ), error_codes(), '(c) first save with hostile key: exactly one error even though WordPress sanitizes twice' );
check_same( '', get_option( 'switchboard_chat' )['site_key'], '(c) first save with hostile key: no key stored' );
check_same( '', footer_output(), '(c) first save with hostile key: nothing printed' );

// Hostile key written straight into the database (bypassing the sanitize callback).
wp_test_reset_state();
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => 'https://chat.example.com', 'site_key' => $hostile );
check_same( '', footer_output(), '(c) hostile key stored directly in the option is not printed' );

foreach ( array( 'short_key_123', str_repeat( 'a', 65 ), 'AbCdEf0123456789 xy', 'AbCdEf0123456789.xy', 'ÄbCdEf0123456789_-xy' ) as $bad_key ) {
	wp_test_reset_state();
	submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => $bad_key ) );
	check( in_array( 'switchboard_chat_invalid_site_key', error_codes(), true ) && '' === get_option( 'switchboard_chat' )['site_key'], '(c) invalid site key rejected: ' . var_export( $bad_key, true ) );
}
foreach ( array( str_repeat( 'a', 16 ), str_repeat( 'Z', 64 ) ) as $ok_key ) {
	wp_test_reset_state();
	submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => $ok_key ) );
	check( array() === error_codes() && $ok_key === get_option( 'switchboard_chat' )['site_key'], '(c) boundary-length site key accepted: ' . strlen( $ok_key ) . ' chars' );
}

// (d) Non-http(s) URLs. ----------------------------------------------------------------
$bad_urls = array(
	'javascript:alert(1)',
	'ftp://x',
	'JavaScript:alert(1)//https://chat.example.com',
	'chat.example.com',
	'//chat.example.com',
	'https://',
	'https://chat.example.com/?a=1',
	'https://chat.example.com/#x',
	'https://user:pass@chat.example.com',
	'data:text/html,<script>alert(1)</script>',
);
foreach ( $bad_urls as $bad_url ) {
	wp_test_reset_state();
	submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' ) );
	$GLOBALS['wp_test']['settings_errors'] = array();
	submit_settings( array( 'server_url' => $bad_url, 'site_key' => 'AbCdEf0123456789_-xy' ) );
	$stored = get_option( 'switchboard_chat' )['server_url'];
	check(
		'https://chat.example.com' === $stored && array( 'switchboard_chat_invalid_server_url' ) === error_codes(),
		'(d) server_url rejected, previous kept: ' . var_export( $bad_url, true ),
		'stored: ' . var_export( $stored, true ) . ', errors: ' . implode( ',', error_codes() )
	);
}
$message = $GLOBALS['wp_test']['settings_errors'][0]['message'] ?? '';
check( false !== stripos( $message, 'Switchboard address' ), '(d) settings error message names the "Switchboard address" field', $message );

wp_test_reset_state();
submit_settings( array( 'server_url' => 'javascript:alert(1)', 'site_key' => 'AbCdEf0123456789_-xy' ) );
check_same( '', get_option( 'switchboard_chat' )['server_url'], '(d) first save with javascript: URL stores nothing' );
check_same( '', footer_output(), '(d) first save with javascript: URL prints nothing' );

wp_test_reset_state();
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => 'javascript:alert(1)', 'site_key' => 'AbCdEf0123456789_-xy' );
check_same( '', footer_output(), '(d) javascript: URL stored directly in the option is not printed' );

wp_test_reset_state();
submit_settings( array( 'server_url' => 'http://localhost:8080', 'site_key' => 'AbCdEf0123456789_-xy' ) );
check_same( array(), error_codes(), '(d) plain http URL with port accepted' );
check_same(
	'<script async src="http://localhost:8080/widget.js" data-switchboard-site="AbCdEf0123456789_-xy"></script>' . "\n",
	footer_output(),
	'(d) plain http URL with port printed'
);

wp_test_reset_state();
submit_settings( array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' ) );
submit_settings( array( 'server_url' => '', 'site_key' => '' ) );
check_same( array(), error_codes(), 'emptying both fields is allowed (no error)' );
check_same( '', footer_output(), 'emptying both fields switches the widget off' );

// (e) Admin area. -------------------------------------------------------------------
wp_test_reset_state();
submit_settings( array( 'server_url' => 'https://chat.example.com/', 'site_key' => 'AbCdEf0123456789_-xy' ) );
$GLOBALS['wp_test']['is_admin'] = true;
check_same( '', footer_output(), '(e) nothing printed when is_admin() is true' );
$GLOBALS['wp_test']['is_admin'] = false;
check_same( $snippet . "\n", footer_output(), '(e) printed again once is_admin() is false' );

// Opt-out filter.
add_filter( 'switchboard_chat_show_widget', '__return_false_for_test' );
function __return_false_for_test() {
	return false;
}
check_same( '', footer_output(), 'switchboard_chat_show_widget filter can hide the widget' );
unset( $GLOBALS['wp_test']['hooks']['switchboard_chat_show_widget'] );

// (f) Options page renders. -----------------------------------------------------------
wp_test_reset_state();
$GLOBALS['wp_test']['is_admin'] = true;
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' );
$html = capture(
	static function () use ( $page ) {
		call_user_func( $page['callback'] );
	}
);
$expectations = array(
	'page title'                     => '<h1>Switchboard Chat</h1>',
	'form posting to options.php'    => '<form action="options.php" method="post">',
	'option_page hidden field'       => "name='option_page' value='switchboard_chat'",
	'nonce field'                    => 'name="_wpnonce"',
	'server_url input'               => 'name="switchboard_chat[server_url]"',
	'site_key input'                 => 'name="switchboard_chat[site_key]"',
	'server_url current value'       => 'value="https://chat.example.com"',
	'site_key current value'         => 'value="AbCdEf0123456789_-xy"',
	'label for server_url'           => '<label for="switchboard_chat_server_url">Switchboard address</label>',
	'label for site_key'             => '<label for="switchboard_chat_site_key">Site key</label>',
	'submit button'                  => 'type="submit"',
	'"Manual installation" hint'     => 'Manual installation',
);
foreach ( $expectations as $what => $needle ) {
	check( false !== strpos( $html, $needle ), "(f) options page contains {$what}", "missing: {$needle}" );
}

// Values are escaped in the form.
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => '"><b>x', 'site_key' => $hostile );
$html = capture(
	static function () use ( $page ) {
		call_user_func( $page['callback'] );
	}
);
check( false === strpos( $html, '<script>alert(1)' ) && false === strpos( $html, '"><b>' ), '(f) stored values are escaped in the form' );
check( false !== strpos( $html, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' ), '(f) site key value attribute is HTML-escaped' );

// Users without manage_options see nothing.
$GLOBALS['wp_test']['caps'] = array();
$html = capture(
	static function () use ( $page ) {
		call_user_func( $page['callback'] );
	}
);
check_same( '', $html, '(f) options page renders nothing without manage_options' );
$GLOBALS['wp_test']['caps'] = array( 'manage_options' => true );

// Plugins screen "Settings" link. -----------------------------------------------------------
$links = apply_filters( 'plugin_action_links_switchboard-chat/switchboard-chat.php', array( 'deactivate' => '<a href="#">Deactivate</a>' ) );
check_same(
	'<a href="https://wp.example.org/wp-admin/options-general.php?page=switchboard-chat">Settings</a>',
	$links[0] ?? null,
	'plugin_action_links adds a "Settings" link first'
);
check( isset( $links['deactivate'] ), 'plugin_action_links keeps existing links' );

// uninstall.php -------------------------------------------------------------------
$GLOBALS['wp_test']['options']['switchboard_chat'] = array( 'server_url' => 'https://chat.example.com', 'site_key' => 'AbCdEf0123456789_-xy' );
define( 'WP_UNINSTALL_PLUGIN', 'switchboard-chat/switchboard-chat.php' );
require $uninstall_file;
check( ! array_key_exists( 'switchboard_chat', $GLOBALS['wp_test']['options'] ), 'uninstall.php deletes the switchboard_chat option' );

// ---------------------------------------------------------------------------
echo "\n{$GLOBALS['passes']} passed, {$GLOBALS['failures']} failed\n";
exit( $GLOBALS['failures'] > 0 ? 1 : 0 );
