<?php
/**
 * The plugin's three options (Hakam URL, site key, webhook secret) and the settings page that
 * edits them. Owns nothing else: no HTTP, no comment handling.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * Options and the Settings → Hakam page.
 */
class Hakam_Settings {

	const URL_OPTION    = 'hakam_url';
	const KEY_OPTION    = 'hakam_site_key';
	const SECRET_OPTION = 'hakam_webhook_secret';
	const PAGE          = 'hakam';

	/**
	 * Hooks the settings page into the admin.
	 */
	public static function register() {
		add_action( 'admin_init', array( __CLASS__, 'register_settings' ) );
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
	}

	/**
	 * The Hakam base URL without a trailing slash, or '' when not configured.
	 *
	 * @return string
	 */
	public static function url() {
		return untrailingslashit( (string) get_option( self::URL_OPTION, '' ) );
	}

	/**
	 * The site key Hakam issued (`hakam sites add`).
	 *
	 * @return string
	 */
	public static function site_key() {
		return (string) get_option( self::KEY_OPTION, '' );
	}

	/**
	 * The secret Hakam signs its webhooks with.
	 *
	 * @return string
	 */
	public static function webhook_secret() {
		return (string) get_option( self::SECRET_OPTION, '' );
	}

	/**
	 * Whether comments can be sent at all.
	 *
	 * @return bool
	 */
	public static function is_configured() {
		return '' !== self::url() && '' !== self::site_key();
	}

	/**
	 * Registers the options with their sanitizers and the page's fields.
	 */
	public static function register_settings() {
		register_setting(
			self::PAGE,
			self::URL_OPTION,
			array(
				'type'              => 'string',
				'sanitize_callback' => 'esc_url_raw',
				'default'           => '',
			)
		);
		foreach ( array( self::KEY_OPTION, self::SECRET_OPTION ) as $option ) {
			register_setting(
				self::PAGE,
				$option,
				array(
					'type'              => 'string',
					'sanitize_callback' => 'sanitize_text_field',
					'default'           => '',
				)
			);
		}

		add_settings_section(
			'hakam_connection',
			__( 'Connection to Hakam', 'hakam' ),
			array( __CLASS__, 'describe_section' ),
			self::PAGE
		);
		$fields = array(
			self::URL_OPTION    => array( __( 'Hakam URL', 'hakam' ), 'url', __( 'The address of your Hakam service, for example https://hakam.example.com', 'hakam' ) ),
			self::KEY_OPTION    => array( __( 'Site key', 'hakam' ), 'password', __( 'The key printed by "hakam sites add".', 'hakam' ) ),
			self::SECRET_OPTION => array( __( 'Webhook secret', 'hakam' ), 'password', __( 'Hakam signs moderators\' decisions with this secret; unsigned calls are refused.', 'hakam' ) ),
		);
		foreach ( $fields as $option => $field ) {
			add_settings_field(
				$option,
				$field[0],
				array( __CLASS__, 'render_field' ),
				self::PAGE,
				'hakam_connection',
				array(
					'label_for'   => $option,
					'type'        => $field[1],
					'description' => $field[2],
				)
			);
		}
	}

	/**
	 * Tells the editor which webhook address to give Hakam.
	 */
	public static function describe_section() {
		printf(
			'<p>%s <code>%s</code></p>',
			esc_html__( 'Give Hakam this webhook address so that moderators\' decisions reach this site:', 'hakam' ),
			esc_html( rest_url( Hakam_Webhook::NAMESPACE_V1 . Hakam_Webhook::ROUTE ) )
		);
	}

	/**
	 * One input of the settings form.
	 *
	 * @param array $args Field arguments from add_settings_field.
	 */
	public static function render_field( $args ) {
		printf(
			'<input type="%1$s" id="%2$s" name="%2$s" value="%3$s" class="regular-text" autocomplete="off" dir="ltr" /><p class="description">%4$s</p>',
			esc_attr( $args['type'] ),
			esc_attr( $args['label_for'] ),
			esc_attr( (string) get_option( $args['label_for'], '' ) ),
			esc_html( $args['description'] )
		);
	}

	/**
	 * Adds Settings → Hakam.
	 */
	public static function add_page() {
		add_options_page(
			__( 'Hakam comment moderation', 'hakam' ),
			__( 'Hakam', 'hakam' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * The settings page.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Hakam comment moderation', 'hakam' ); ?></h1>
			<form action="options.php" method="post">
				<?php
				settings_fields( self::PAGE );
				do_settings_sections( self::PAGE );
				submit_button( __( 'Save settings', 'hakam' ) );
				?>
			</form>
		</div>
		<?php
	}
}
