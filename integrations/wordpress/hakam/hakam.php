<?php
/**
 * Plugin Name:       Hakam
 * Plugin URI:        https://github.com/hakam-moderation/hakam
 * Description:       Sends new comments to a Hakam moderation service, applies its decisions and reports editors' judgements back as training labels.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            Hakam
 * License:           MIT
 * Text Domain:       hakam
 * Domain Path:       /languages
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

define( 'HAKAM_VERSION', '0.1.0' );
define( 'HAKAM_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-hakam-settings.php';
require_once __DIR__ . '/includes/class-hakam-client.php';
require_once __DIR__ . '/includes/class-hakam-intake.php';
require_once __DIR__ . '/includes/class-hakam-retry.php';
require_once __DIR__ . '/includes/class-hakam-webhook.php';
require_once __DIR__ . '/includes/class-hakam-feedback.php';
require_once __DIR__ . '/includes/class-hakam-admin.php';
require_once __DIR__ . '/includes/class-hakam-privacy.php';
require_once __DIR__ . '/includes/class-hakam-nudge.php';
require_once __DIR__ . '/includes/class-hakam-readers.php';

add_action(
	'init',
	static function () {
		load_plugin_textdomain( 'hakam', false, dirname( plugin_basename( HAKAM_FILE ) ) . '/languages' );
	}
);

Hakam_Settings::register();
Hakam_Intake::register();
Hakam_Retry::register();
Hakam_Webhook::register();
Hakam_Feedback::register();
Hakam_Admin::register();
Hakam_Privacy::register();
Hakam_Nudge::register();
Hakam_Readers::register();

register_activation_hook( __FILE__, array( 'Hakam_Retry', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Hakam_Retry', 'deactivate' ) );
