<?php
/**
 * Editors' judgements in WordPress's admin, reported to Hakam as training labels.
 *
 * Marking a comment spam sends "spam"; taking one out of spam sends "ham"; approving a held
 * comment sends "ham" and "ok" (neither spam nor abusive). Status changes the plugin itself
 * makes on Hakam's word (the webhook, the retries) run inside quietly() and are not echoed back.
 * Labels that cannot be sent now wait in a small outbox option for the WP-Cron retry.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The feedback hooks.
 */
class Hakam_Feedback {

	const OUTBOX_OPTION = 'hakam_feedback_outbox';
	const OUTBOX_LIMIT  = 500;

	/**
	 * How many quietly() calls are running: status changes made on Hakam's own word.
	 *
	 * @var int
	 */
	private static $quiet = 0;

	/**
	 * Hooks status transitions.
	 */
	public static function register() {
		add_action( 'transition_comment_status', array( __CLASS__, 'on_transition' ), 10, 3 );
	}

	/**
	 * Runs a change that came from Hakam, without reporting it back to Hakam.
	 *
	 * @param callable $change The change.
	 * @return mixed What the change returns.
	 */
	public static function quietly( callable $change ) {
		++self::$quiet;
		try {
			return $change();
		} finally {
			--self::$quiet;
		}
	}

	/**
	 * The labels an editor's status change teaches.
	 *
	 * @param string $new_status New status (approved, unapproved, spam, trash).
	 * @param string $old_status Old status.
	 * @return string[]
	 */
	public static function labels_for( $new_status, $old_status ) {
		if ( 'spam' === $new_status && 'spam' !== $old_status ) {
			return array( 'spam' );
		}
		if ( 'spam' === $old_status && in_array( $new_status, array( 'approved', 'unapproved' ), true ) ) {
			return array( 'ham' );
		}
		if ( 'unapproved' === $old_status && 'approved' === $new_status ) {
			return array( 'ham', 'ok' );
		}
		return array();
	}

	/**
	 * The transition_comment_status action.
	 *
	 * @param string     $new_status New status.
	 * @param string     $old_status Old status.
	 * @param WP_Comment $comment    The comment.
	 */
	public static function on_transition( $new_status, $old_status, $comment ) {
		// Only an editor's own judgement is a label: not Hakam's echo, not other code's changes.
		if ( self::$quiet > 0 || ! Hakam_Settings::is_configured() || ! current_user_can( 'moderate_comments' ) ) {
			return;
		}
		$hakam_id = (string) get_comment_meta( $comment->comment_ID, Hakam_Intake::META_ID, true );
		if ( '' === $hakam_id ) {
			return;
		}
		foreach ( self::labels_for( $new_status, $old_status ) as $label ) {
			self::send( $hakam_id, $label );
		}
	}

	/**
	 * Sends one label, or keeps it for the retry when Hakam cannot take it now.
	 *
	 * @param string $hakam_id Hakam's comment id.
	 * @param string $label    spam, ham, abuse or ok.
	 * @return bool Whether it is done with (sent, or refused for good).
	 */
	private static function send( $hakam_id, $label ) {
		$result = Hakam_Client::send_feedback( $hakam_id, $label );
		if ( Hakam_Client::RETRY !== $result['outcome'] ) {
			if ( Hakam_Client::DECIDED !== $result['outcome'] ) {
				Hakam_Intake::log( sprintf( 'feedback "%s" on Hakam comment %s was refused (%s)', $label, $hakam_id, $result['detail'] ) );
			}
			return true;
		}
		$outbox   = (array) get_option( self::OUTBOX_OPTION, array() );
		$outbox[] = array(
			'id'    => $hakam_id,
			'label' => $label,
		);
		update_option( self::OUTBOX_OPTION, array_slice( $outbox, -self::OUTBOX_LIMIT ), false );
		Hakam_Intake::log( sprintf( 'feedback on Hakam comment %s could not be sent (%s); will retry', $hakam_id, $result['detail'] ) );
		Hakam_Retry::schedule( 1 );
		return false;
	}

	/**
	 * Sends queued labels; called by the WP-Cron retry.
	 *
	 * @return int 1 when some are still waiting, else 0.
	 */
	public static function flush_outbox() {
		$outbox = (array) get_option( self::OUTBOX_OPTION, array() );
		if ( ! $outbox ) {
			return 0;
		}
		delete_option( self::OUTBOX_OPTION );
		$waiting = 0;
		foreach ( $outbox as $item ) {
			if ( ! self::send( $item['id'], $item['label'] ) ) {
				$waiting = 1;
			}
		}
		return $waiting;
	}
}
