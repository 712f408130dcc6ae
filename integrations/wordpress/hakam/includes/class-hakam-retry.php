<?php
/**
 * WP-Cron retries: comments that could not reach Hakam, and editors' feedback that could not.
 *
 * Each held comment keeps the Idempotency-Key of its first attempt, so a retry of a request that
 * did reach Hakam (only the answer was lost) gets the first answer instead of a second comment.
 * A quick single event follows each failure with exponential backoff; an hourly event catches
 * anything a lost single event would leave behind.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sends again what Hakam did not answer.
 */
class Hakam_Retry {

	const HOOK        = 'hakam_send_pending';
	const HOURLY_HOOK = 'hakam_send_pending_hourly';
	const BATCH       = 20;

	/**
	 * Hooks the cron handlers.
	 */
	public static function register() {
		add_action( self::HOOK, array( __CLASS__, 'run' ) );
		add_action( self::HOURLY_HOOK, array( __CLASS__, 'run' ) );
	}

	/**
	 * Plugin activation: the hourly safety net.
	 */
	public static function activate() {
		if ( ! wp_next_scheduled( self::HOURLY_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'hourly', self::HOURLY_HOOK );
		}
	}

	/**
	 * Plugin deactivation: no orphaned events.
	 */
	public static function deactivate() {
		wp_clear_scheduled_hook( self::HOOK );
		wp_clear_scheduled_hook( self::HOURLY_HOOK );
	}

	/**
	 * Schedules the next quick retry unless one is already due.
	 *
	 * @param int $attempts Attempts made so far, for the backoff.
	 */
	public static function schedule( $attempts ) {
		if ( wp_next_scheduled( self::HOOK ) ) {
			return;
		}
		$delay = (int) min( HOUR_IN_SECONDS, MINUTE_IN_SECONDS * pow( 2, max( 0, (int) $attempts - 1 ) ) );
		/**
		 * Seconds until the next attempt to reach Hakam.
		 *
		 * @param int $delay    Default: one minute, doubling per attempt, at most an hour.
		 * @param int $attempts Attempts made so far.
		 */
		$delay = (int) apply_filters( 'hakam_retry_delay', $delay, (int) $attempts );
		wp_schedule_single_event( time() + max( 0, $delay ), self::HOOK );
	}

	/**
	 * The cron handler: sends held comments and queued feedback once more.
	 */
	public static function run() {
		if ( ! Hakam_Settings::is_configured() ) {
			return;
		}
		$most_attempts = 0;
		foreach ( self::pending_comment_ids() as $comment_id ) {
			$most_attempts = max( $most_attempts, self::send( $comment_id ) );
		}
		$most_attempts = max( $most_attempts, Hakam_Feedback::flush_outbox() );
		foreach ( self::comment_ids_with( Hakam_Intake::META_LINK ) as $comment_id ) {
			if ( ! Hakam_Intake::link( $comment_id ) ) {
				$most_attempts = max( $most_attempts, 1 );
			}
		}
		if ( $most_attempts > 0 ) {
			self::schedule( $most_attempts );
		}
	}

	/**
	 * Ids of comments still waiting to reach Hakam, oldest first.
	 *
	 * @return int[]
	 */
	private static function pending_comment_ids() {
		return self::comment_ids_with( Hakam_Intake::META_PENDING );
	}

	/**
	 * Ids of comments marked with a meta key, oldest first, a batch at most.
	 *
	 * @param string $meta_key The mark.
	 * @return int[]
	 */
	private static function comment_ids_with( $meta_key ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return array_map(
			'intval',
			$wpdb->get_col(
				$wpdb->prepare(
					"SELECT comment_id FROM {$wpdb->commentmeta} WHERE meta_key = %s ORDER BY comment_id LIMIT %d",
					$meta_key,
					self::BATCH
				)
			)
		);
	}

	/**
	 * Sends one held comment again and applies Hakam's answer.
	 *
	 * @param int $comment_id WordPress comment id.
	 * @return int Attempts made so far when it is still pending, else 0.
	 */
	private static function send( $comment_id ) {
		$comment = get_comment( $comment_id, ARRAY_A );
		if ( ! $comment || '0' !== (string) $comment['comment_approved'] ) {
			// Gone, or an editor decided meanwhile: their decision stands, nothing to ask.
			delete_comment_meta( $comment_id, Hakam_Intake::META_PENDING );
			return 0;
		}
		$key = (string) get_comment_meta( $comment_id, Hakam_Intake::META_KEY, true );
		if ( '' === $key ) {
			$key = wp_generate_uuid4();
			update_comment_meta( $comment_id, Hakam_Intake::META_KEY, $key );
		}
		$result = Hakam_Client::send_comment( Hakam_Intake::fields( $comment ), $key );
		Hakam_Intake::record( $comment_id, $result );
		if ( Hakam_Client::DECIDED !== $result['outcome'] ) {
			return (int) get_comment_meta( $comment_id, Hakam_Intake::META_ATTEMPTS, true );
		}

		$wp_verdict = get_comment_meta( $comment_id, Hakam_Intake::META_WP_VERDICT, true );
		$wp_verdict = ( '' === $wp_verdict ) ? 1 : ( is_numeric( $wp_verdict ) ? (int) $wp_verdict : $wp_verdict );
		$target     = Hakam_Intake::strictest( $wp_verdict, Hakam_Intake::wordpress_status( (string) $result['body']['status'] ) );
		Hakam_Feedback::quietly(
			static function () use ( $comment_id, $target ) {
				Hakam_Webhook::apply( $comment_id, $target );
			}
		);
		return 0;
	}
}
