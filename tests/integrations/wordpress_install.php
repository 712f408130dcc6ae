<?php
/**
 * Installs a fresh WordPress in Arabic into the database named in wp-config.php, activates the
 * Hakam plugin and configures it. Run by tests/integrations/wordpress_site.py with php-cli:
 *   php wordpress_install.php SITE_ROOT HAKAM_URL SITE_KEY WEBHOOK_SECRET ADMIN_PASSWORD
 * Prints one JSON line: {"post_id": ..., "post_url": ...}.
 */

[ , $root, $hakam_url, $site_key, $webhook_secret, $admin_password ] = $argv;

define( 'WP_INSTALLING', true );
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$installed = wp_install( 'أخبار اليوم', 'admin', 'admin@example.invalid', true, '', $admin_password, 'ar' );
if ( is_wp_error( $installed ) ) {
	fwrite( STDERR, 'wp_install failed: ' . $installed->get_error_message() . "\n" );
	exit( 1 );
}
// WordPress's default holds every comment from an author without an earlier approved one;
// the site under test leaves that judgement to Hakam.
update_option( 'comment_previously_approved', 0 );
update_option( 'hakam_url', $hakam_url );
switch_theme( 'hakam-e2e' );  // tests/integrations/theme: the comment form readers use
update_option( 'hakam_site_key', $site_key );
update_option( 'hakam_webhook_secret', $webhook_secret );

$post_id = wp_insert_post(
	array(
		'post_title'     => 'افتتاح مكتبة عامة جديدة في المدينة',
		'post_content'   => 'افتتحت البلدية اليوم مكتبة عامة جديدة تضم آلاف الكتب.',
		'post_status'    => 'publish',
		'comment_status' => 'open',
		'post_author'    => 1,
	)
);
echo wp_json_encode(
	array(
		'post_id'  => $post_id,
		'post_url' => get_permalink( $post_id ),
	)
) . "\n";
