<?php
/**
 * Activates the Hakam plugin the way the Plugins screen does (its activation hook runs).
 *   php wordpress_activate.php SITE_ROOT
 */

[ , $root ] = $argv;
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$activated = activate_plugin( 'hakam/hakam.php' );
if ( is_wp_error( $activated ) ) {
	fwrite( STDERR, 'activation failed: ' . $activated->get_error_message() . "\n" );
	exit( 1 );
}
echo "activated\n";
