<?php
/**
 * Files a personal data request the way Tools → Export / Erase Personal Data does when an
 * administrator adds one (wp_create_user_request), and makes the confirmation key WordPress
 * mails to the person; the test then opens the confirmation link as they would.
 *   php wordpress_privacy_request.php SITE_ROOT EMAIL export_personal_data|remove_personal_data
 * Prints one JSON line: {"request_id": ..., "confirm_url": ...}.
 */

// Named apart from WordPress's globals ($action is one), which loading it may overwrite.
[ , $hakam_root, $hakam_email, $hakam_action ] = $argv;
require $hakam_root . '/wp-load.php';

$request_id = wp_create_user_request( $hakam_email, $hakam_action );
if ( is_wp_error( $request_id ) ) {
	fwrite( STDERR, 'wp_create_user_request failed: ' . $request_id->get_error_message() . "\n" );
	exit( 1 );
}
$key = wp_generate_user_request_key( $request_id );
echo wp_json_encode(
	array(
		'request_id'  => $request_id,
		'confirm_url' => add_query_arg(
			array(
				'action'      => 'confirmaction',
				'request_id'  => $request_id,
				'confirm_key' => $key,
			),
			wp_login_url()
		),
	)
) . "\n";
