<?php
/**
 * The nudge in the comment form: when Hakam would hold a comment for abuse (the site's
 * `hakam sites configure SITE --nudge`), the reader sees why, inline, with their own words
 * highlighted, and chooses to edit it or post it anyway.
 *
 * Progressive enhancement: the form's script (assets/hakam-nudge.js) sends the form with
 * hakam_nudge=1; only then may Hakam's nudge be answered here (as JSON, before WordPress stores
 * anything). Without the script the comment is posted as it always was (Hakam_Client sends it
 * with "nudge": false, and it is held). The reader's choice comes back as hakam_nudge_token.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The comment form's nudge.
 */
class Hakam_Nudge {

	/**
	 * Hooks the script into pages with a comment form, and the token field into the form.
	 */
	public static function register() {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_filter( 'comment_form_submit_field', array( __CLASS__, 'token_field' ) );
	}

	/**
	 * Adds the script and its words (in the site's language) where comments can be posted.
	 */
	public static function enqueue() {
		if ( ! is_singular() || ! comments_open() || ! Hakam_Settings::is_configured() ) {
			return;
		}
		wp_enqueue_script( 'hakam-nudge', plugins_url( 'assets/hakam-nudge.js', HAKAM_FILE ), array(), HAKAM_VERSION, true );
		wp_localize_script(
			'hakam-nudge',
			'hakamNudge',
			array(
				'heading'  => __( 'Before you post', 'hakam' ),
				'words'    => __( 'The words that may hurt:', 'hakam' ),
				'edit'     => __( 'Edit my comment', 'hakam' ),
				'post'     => __( 'Post anyway', 'hakam' ),
				'failed'   => __( 'Your comment could not be sent. Please try again.', 'hakam' ),
			)
		);
		wp_enqueue_style( 'hakam-nudge', plugins_url( 'assets/hakam-nudge.css', HAKAM_FILE ), array(), HAKAM_VERSION );
	}

	/**
	 * The empty token field beside the submit button; the script fills it after a nudge.
	 *
	 * @param string $field The submit field's HTML.
	 * @return string
	 */
	public static function token_field( $field ) {
		return $field . '<input type="hidden" name="hakam_nudge_token" value="" />';
	}

	/**
	 * Whether this submission came from the script, which can show a nudge.
	 *
	 * @return bool
	 */
	public static function can_show() {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- the comment form has no nonce; this only chooses how Hakam's answer is shown.
		return isset( $_POST['hakam_nudge'] ) && '1' === $_POST['hakam_nudge'] && '' === self::token_sent();
	}

	/**
	 * The nudge token the reader's form sent back (edited, or posted anyway), or ''.
	 *
	 * @return string
	 */
	public static function token_sent() {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- see can_show().
		$token = isset( $_POST['hakam_nudge_token'] ) ? (string) wp_unslash( $_POST['hakam_nudge_token'] ) : '';
		return preg_match( '/^[A-Za-z0-9_.-]{1,1000}$/', $token ) ? $token : '';
	}

	/**
	 * Answers the script with the nudge and stops: nothing is stored in WordPress either.
	 *
	 * @param string $text The comment as Hakam read it.
	 * @param array  $body Hakam's 422 nudge.
	 */
	public static function answer( $text, array $body ) {
		wp_send_json(
			array(
				'code'        => 'nudge',
				'message'     => sanitize_text_field( (string) $body['message'] ),
				'segments'    => self::segments( $text, isset( $body['spans'] ) && is_array( $body['spans'] ) ? $body['spans'] : array() ),
				'nudge_token' => (string) $body['nudge_token'],
			),
			422
		);
	}

	/**
	 * The text cut at Hakam's spans (character offsets) into plain and highlighted pieces,
	 * which the script inserts as text, never as markup.
	 *
	 * @param string $text  The comment.
	 * @param array  $spans [start, end) pairs.
	 * @return array[] { text: string, mark: bool }
	 */
	public static function segments( $text, array $spans ) {
		$length = mb_strlen( $text, 'UTF-8' );
		$cuts   = array();
		foreach ( $spans as $span ) {
			if ( is_array( $span ) && 2 === count( $span ) ) {
				$start = max( 0, (int) $span[0] );
				$end   = min( $length, (int) $span[1] );
				if ( $start < $end ) {
					$cuts[] = array( $start, $end );
				}
			}
		}
		sort( $cuts );
		$segments = array();
		$at       = 0;
		foreach ( $cuts as list( $start, $end ) ) {
			if ( $start < $at ) {
				$start = $at;  // overlapping spans: the part not yet marked
			}
			if ( $start >= $end ) {
				continue;
			}
			if ( $start > $at ) {
				$segments[] = array( 'text' => mb_substr( $text, $at, $start - $at, 'UTF-8' ), 'mark' => false );
			}
			$segments[] = array( 'text' => mb_substr( $text, $start, $end - $start, 'UTF-8' ), 'mark' => true );
			$at         = $end;
		}
		if ( $at < $length ) {
			$segments[] = array( 'text' => mb_substr( $text, $at, null, 'UTF-8' ), 'mark' => false );
		}
		return $segments;
	}
}
