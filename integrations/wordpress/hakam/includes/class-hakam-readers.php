<?php
/**
 * What readers see of Hakam under the comments: a "Report" link (a small reason picker) under
 * each published comment, and, for the author of a held comment, one sentence of why it waits.
 *
 * The report link is a <details> element holding an ordinary form posted to admin-post.php, so
 * it works without JavaScript. A logged-in reader is identified to Hakam by their email (so
 * Hakam's export and erasure of that reader find their reports); a guest by a random id in a
 * signed cookie, made on their first report. Hakam counts one report per reader per comment
 * and, at the site's threshold, sends the comment back for review: its webhook unpublishes it
 * here (Hakam_Webhook) until a moderator decides. The sentence comes from Hakam's reason
 * codes, never its scores, in the site's language.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reports and the reason a comment waits.
 */
class Hakam_Readers {

	const ACTION  = 'hakam_report';
	const COOKIE  = 'hakam_reader';
	const REASONS = array( 'abuse', 'spam', 'other' );

	/**
	 * Hooks the comment text and the report form's handler.
	 */
	public static function register() {
		// After Walker_Comment's own filter (40), which strips markup from a held comment's preview.
		add_filter( 'comment_text', array( __CLASS__, 'under_comment' ), 50, 2 );
		add_action( 'admin_post_' . self::ACTION, array( __CLASS__, 'receive' ) );
		add_action( 'admin_post_nopriv_' . self::ACTION, array( __CLASS__, 'receive' ) );
	}

	/**
	 * Adds the report link under a published comment, or the sentence of why under a held one.
	 *
	 * @param string          $text    The comment's text as HTML.
	 * @param WP_Comment|null $comment The comment.
	 * @return string
	 */
	public static function under_comment( $text, $comment = null ) {
		if ( is_admin() || ! $comment instanceof WP_Comment || ! Hakam_Settings::is_configured() ) {
			return $text;
		}
		if ( '0' === (string) $comment->comment_approved ) {
			$why = self::why_held( $comment->comment_ID );
			return '' === $why ? $text : $text . '<p class="hakam-why">' . esc_html( $why ) . '</p>';
		}
		if ( '1' !== (string) $comment->comment_approved || '' === (string) get_comment_meta( $comment->comment_ID, Hakam_Intake::META_ID, true ) ) {
			return $text;
		}
		return $text . self::report_form( (int) $comment->comment_ID );
	}

	/**
	 * One sentence of why a comment waits, from the first of Hakam's reason codes that held it.
	 *
	 * @param int $comment_id WordPress comment id.
	 * @return string '' when Hakam gave no reason this sentence knows.
	 */
	public static function why_held( $comment_id ) {
		$codes = get_comment_meta( $comment_id, Hakam_Intake::META_CODES, true );
		if ( '1' === (string) get_comment_meta( $comment_id, Hakam_Webhook::META_REPORTED, true ) ) {
			$codes = array( 'reader_reports' );
		}
		foreach ( is_array( $codes ) ? $codes : array() as $code ) {
			$sentence = self::sentence( (string) $code );
			if ( '' !== $sentence ) {
				return $sentence;
			}
		}
		return '';
	}

	/**
	 * The sentence for one reason code.
	 *
	 * @param string $code Hakam's reason code.
	 * @return string
	 */
	public static function sentence( $code ) {
		if ( 'abuse_score' === $code || preg_match( '/^(identity_attack|insult|profanity|threat)_score$/', $code ) ) {
			return __( 'It may contain words that hurt others, so a moderator reads it first.', 'hakam' );
		}
		switch ( $code ) {
			case 'spam_score':
				return __( 'It looks like advertising to our filter, so a moderator checks it first.', 'hakam' );
			case 'moderation_word':
				return __( 'It contains a word this site checks before publishing.', 'hakam' );
			case 'too_many_links':
				return __( 'It has more links than this site publishes without a check.', 'hakam' );
			case 'premoderation':
			case 'post_premoderation':
				return __( 'A moderator reads every comment here before it appears.', 'hakam' );
			case 'first_comment':
				return __( 'A moderator reads a first comment before it appears.', 'hakam' );
			case 'campaign':
				return __( 'Many readers sent the same words, so a moderator checks them first.', 'hakam' );
			case 'reader_reports':
				return __( 'Readers reported it, so a moderator will look at it again.', 'hakam' );
			case 'author_premoderated':
			case 'author_history':
				return __( 'A moderator reads this author’s comments before they appear.', 'hakam' );
		}
		return '';
	}

	/**
	 * The report link and its reason picker, as a form that needs no script.
	 *
	 * @param int $comment_id WordPress comment id.
	 * @return string
	 */
	private static function report_form( $comment_id ) {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only shows a thank-you.
		if ( isset( $_GET['hakam_reported'] ) && (int) $_GET['hakam_reported'] === $comment_id ) {
			return '<p class="hakam-reported" role="status">' . esc_html__( 'Thank you: your report was sent to the moderators.', 'hakam' ) . '</p>';
		}
		$labels = array(
			'abuse' => __( 'Abusive or insulting', 'hakam' ),
			'spam'  => __( 'Spam or advertising', 'hakam' ),
			'other' => __( 'Something else', 'hakam' ),
		);
		$html  = '<details class="hakam-report"><summary>' . esc_html__( 'Report', 'hakam' ) . '</summary>';
		$html .= '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		$html .= '<fieldset><legend>' . esc_html__( 'Why should a moderator look at this comment?', 'hakam' ) . '</legend>';
		foreach ( $labels as $reason => $label ) {
			$html .= '<label><input type="radio" name="reason" value="' . esc_attr( $reason ) . '"' . ( 'abuse' === $reason ? ' checked' : '' ) . ' /> ' . esc_html( $label ) . '</label> ';
		}
		$html .= '</fieldset>';
		$html .= '<input type="hidden" name="action" value="' . esc_attr( self::ACTION ) . '" />';
		$html .= '<input type="hidden" name="comment_id" value="' . esc_attr( (string) $comment_id ) . '" />';
		$html .= wp_nonce_field( self::ACTION . '_' . $comment_id, '_hakam_nonce', false, false );
		$html .= '<button type="submit">' . esc_html__( 'Send report', 'hakam' ) . '</button></form></details>';
		return $html;
	}

	/**
	 * admin-post.php?action=hakam_report: passes the report on to Hakam, then back to the comment.
	 */
	public static function receive() {
		$comment_id = isset( $_POST['comment_id'] ) ? (int) $_POST['comment_id'] : 0;
		$reason     = isset( $_POST['reason'] ) ? sanitize_key( wp_unslash( $_POST['reason'] ) ) : '';
		if ( ! $comment_id || ! isset( $_POST['_hakam_nonce'] )
			|| ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST['_hakam_nonce'] ) ), self::ACTION . '_' . $comment_id )
			|| ! in_array( $reason, self::REASONS, true ) ) {
			wp_die( esc_html__( 'This report could not be sent. Please try again.', 'hakam' ), '', array( 'response' => 400 ) );
		}
		$comment  = get_comment( $comment_id );
		$hakam_id = (string) get_comment_meta( $comment_id, Hakam_Intake::META_ID, true );
		if ( ! $comment || '' === $hakam_id ) {
			wp_die( esc_html__( 'This report could not be sent. Please try again.', 'hakam' ), '', array( 'response' => 404 ) );
		}
		$result = Hakam_Client::report_comment( $hakam_id, $reason, self::reporter() );
		if ( Hakam_Client::DECIDED !== $result['outcome'] ) {
			Hakam_Intake::log( sprintf( 'a report on comment %d could not be sent to Hakam (%s)', $comment_id, $result['detail'] ) );
		}
		wp_safe_redirect( add_query_arg( 'hakam_reported', $comment_id, get_permalink( $comment->comment_post_ID ) ) . '#comment-' . $comment_id );
		exit;
	}

	/**
	 * The reader's id for Hakam: a logged-in reader's email, else a guest's signed cookie id.
	 *
	 * @return string
	 */
	private static function reporter() {
		$user = wp_get_current_user();
		if ( $user && $user->exists() && $user->user_email ) {
			return $user->user_email;
		}
		$cookie = isset( $_COOKIE[ self::COOKIE ] ) ? sanitize_text_field( wp_unslash( $_COOKIE[ self::COOKIE ] ) ) : '';
		$parts  = explode( '.', $cookie );
		if ( 2 === count( $parts ) && hash_equals( self::sign( $parts[0] ), $parts[1] ) ) {
			return 'guest:' . $parts[0];
		}
		$id = wp_generate_password( 24, false, false );
		setcookie( self::COOKIE, $id . '.' . self::sign( $id ), time() + YEAR_IN_SECONDS, COOKIEPATH ? COOKIEPATH : '/', COOKIE_DOMAIN, is_ssl(), true );
		return 'guest:' . $id;
	}

	/**
	 * The cookie id's signature, under the site's own secret.
	 *
	 * @param string $id A guest's id.
	 * @return string
	 */
	private static function sign( $id ) {
		return hash_hmac( 'sha256', $id, wp_salt( 'auth' ) );
	}
}
