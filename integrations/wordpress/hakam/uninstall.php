<?php
/**
 * Removing the plugin removes its options and queued feedback. Comment meta (Hakam's ids and
 * reasons) stays: it documents past moderation and costs nothing once unused.
 *
 * @package Hakam
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

foreach ( array( 'hakam_url', 'hakam_site_key', 'hakam_webhook_secret', 'hakam_feedback_outbox' ) as $hakam_option ) {
	delete_option( $hakam_option );
}
wp_clear_scheduled_hook( 'hakam_send_pending' );
wp_clear_scheduled_hook( 'hakam_send_pending_hourly' );
