<?php
/**
 * The webhook Hakam calls when a moderator decides: POST /wp-json/hakam/v1/decision.
 *
 * Owns the signature check (HMAC-SHA256 of the raw body under the webhook secret, compared in
 * constant time) and the mapping of a decision onto a WordPress comment status. Hakam delivers
 * at least once, so a repeated decision is answered 200 and changes nothing. A decision only
 * moves a comment WordPress still holds: when an editor already decided in WordPress, the
 * editor's decision stands.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The decision webhook.
 */
class Hakam_Webhook {

	const NAMESPACE_V1 = 'hakam/v1';
	const ROUTE        = '/decision';
	const META_DECISION = '_hakam_decision';
	const META_REPORTED = '_hakam_reported';

	/**
	 * Hakam's decided statuses and what each makes of the WordPress comment. "rejected" means
	 * unfit to publish (Hakam has a separate spam decision), so it goes to the trash, from
	 * which an editor can still restore it.
	 */
	const STATUSES = array(
		'approved' => 1,
		'rejected' => 'trash',
		'spam'     => 'spam',
	);

	/**
	 * Hooks the REST route.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'add_route' ) );
	}

	/**
	 * Registers POST hakam/v1/decision.
	 */
	public static function add_route() {
		register_rest_route(
			self::NAMESPACE_V1,
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				'permission_callback' => array( __CLASS__, 'verify_signature' ),
			)
		);
	}

	/**
	 * Refuses unsigned (401) and badly signed (403) calls.
	 *
	 * @param WP_REST_Request $request The call.
	 * @return true|WP_Error
	 */
	public static function verify_signature( $request ) {
		$secret    = Hakam_Settings::webhook_secret();
		$signature = (string) $request->get_header( 'X-Hakam-Signature' );
		if ( '' === $secret ) {
			return new WP_Error( 'hakam_not_configured', 'The webhook secret is not configured.', array( 'status' => 401 ) );
		}
		if ( '' === $signature ) {
			return new WP_Error( 'hakam_unsigned', 'Missing X-Hakam-Signature.', array( 'status' => 401 ) );
		}
		$expected = 'sha256=' . hash_hmac( 'sha256', $request->get_body(), $secret );
		if ( ! hash_equals( $expected, $signature ) ) {
			return new WP_Error( 'hakam_bad_signature', 'The signature does not match.', array( 'status' => 403 ) );
		}
		return true;
	}

	/**
	 * Applies a verified decision.
	 *
	 * @param WP_REST_Request $request The call.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function receive( $request ) {
		$payload = json_decode( $request->get_body(), true );
		if ( is_array( $payload ) && isset( $payload['event'], $payload['comment_id'] ) && 'comment.reported' === $payload['event'] ) {
			return self::reported( (string) $payload['comment_id'] );
		}
		if ( ! is_array( $payload ) || ! isset( $payload['event'], $payload['comment_id'], $payload['status'] )
			|| 'comment.decided' !== $payload['event'] || ! isset( self::STATUSES[ $payload['status'] ] ) ) {
			return new WP_Error( 'hakam_bad_payload', 'Expected a comment.decided event with a known status.', array( 'status' => 400 ) );
		}
		$comment_id = self::find_comment( (string) $payload['comment_id'] );
		if ( ! $comment_id ) {
			// 404 lets Hakam retry: the comment may not have its Hakam id yet.
			return new WP_Error( 'hakam_unknown_comment', 'No comment here has that Hakam id.', array( 'status' => 404 ) );
		}
		update_comment_meta( $comment_id, Hakam_Intake::META_STATUS, sanitize_key( $payload['status'] ) );
		update_comment_meta( $comment_id, self::META_DECISION, sanitize_key( $payload['status'] ) );

		$outcome = Hakam_Feedback::quietly(
			static function () use ( $comment_id, $payload ) {
				return self::apply( $comment_id, self::STATUSES[ $payload['status'] ] );
			}
		);
		return new WP_REST_Response(
			array(
				'comment' => $comment_id,
				'outcome' => $outcome,
			),
			200
		);
	}

	/**
	 * Readers' reports sent a published comment back to Hakam's queue: it is unpublished here
	 * until a moderator decides (whose decision then moves it, as for any held comment). A
	 * comment an editor already took down stays as it is.
	 *
	 * @param string $hakam_id Hakam's comment id.
	 * @return WP_REST_Response|WP_Error
	 */
	private static function reported( $hakam_id ) {
		$comment_id = self::find_comment( $hakam_id );
		if ( ! $comment_id ) {
			return new WP_Error( 'hakam_unknown_comment', 'No comment here has that Hakam id.', array( 'status' => 404 ) );
		}
		update_comment_meta( $comment_id, Hakam_Intake::META_STATUS, 'pending' );
		update_comment_meta( $comment_id, self::META_REPORTED, '1' );
		$outcome = 'unchanged';
		if ( '1' === (string) get_comment( $comment_id )->comment_approved ) {
			$outcome = Hakam_Feedback::quietly(
				static function () use ( $comment_id ) {
					wp_set_comment_status( $comment_id, 'hold' );
					return 'held';
				}
			);
		}
		return new WP_REST_Response(
			array(
				'comment' => $comment_id,
				'outcome' => $outcome,
			),
			200
		);
	}

	/**
	 * Moves a held comment to a status; leaves alone one already there or already decided.
	 *
	 * @param int        $comment_id WordPress comment id.
	 * @param int|string $target     1, 0, 'spam' or 'trash'.
	 * @return string applied, unchanged or kept.
	 */
	public static function apply( $comment_id, $target ) {
		$current = (string) get_comment( $comment_id )->comment_approved;
		if ( (string) $target === $current ) {
			return 'unchanged';
		}
		if ( '0' !== $current ) {
			return 'kept';
		}
		if ( 'spam' === $target ) {
			wp_spam_comment( $comment_id );
		} elseif ( 'trash' === $target ) {
			wp_trash_comment( $comment_id );
		} elseif ( 1 === $target ) {
			wp_set_comment_status( $comment_id, 'approve' );
		}
		return 'applied';
	}

	/**
	 * The WordPress comment that carries a Hakam id.
	 *
	 * @param string $hakam_id Hakam's comment id.
	 * @return int 0 when none does.
	 */
	private static function find_comment( $hakam_id ) {
		global $wpdb;
		// A direct query: get_comments() leaves out spam and trash unless asked per status.
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return (int) $wpdb->get_var(
			$wpdb->prepare(
				"SELECT comment_id FROM {$wpdb->commentmeta} WHERE meta_key = %s AND meta_value = %s ORDER BY comment_id LIMIT 1",
				Hakam_Intake::META_ID,
				$hakam_id
			)
		);
	}
}
