<?php
/**
 * New comments: ask Hakam before WordPress stores them, and keep Hakam's answer in comment meta.
 *
 * Owns the mapping between Hakam's statuses and WordPress's, and the rule that the plugin never
 * loosens WordPress's own verdict: a comment WordPress holds (its moderation settings) or
 * discards (its disallowed list) stays so whatever Hakam says. When Hakam cannot answer, the
 * comment is held and marked for WP-Cron to send again; it is never approved unchecked.
 * Never logs a reader's email or IP.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The comment intake hooks.
 */
class Hakam_Intake {

	const META_ID          = '_hakam_id';
	const META_STATUS      = '_hakam_status';
	const META_REASONS     = '_hakam_reasons';
	const META_KEY         = '_hakam_idempotency_key';
	const META_PENDING     = '_hakam_pending_send';
	const META_ATTEMPTS    = '_hakam_attempts';
	const META_WP_VERDICT  = '_hakam_wp_verdict';
	const META_LAST_ERROR  = '_hakam_last_error';
	const META_LINK        = '_hakam_link_pending';
	const META_CODES       = '_hakam_reason_codes';

	/**
	 * Hakam's answer for the comment being inserted in this request. The comment has no id
	 * yet in pre_comment_approved, so it waits here until comment_post gives one.
	 *
	 * @var array|null
	 */
	private static $awaiting_id = null;

	/**
	 * Hooks into comment submission.
	 */
	public static function register() {
		// Late, so that other plugins' verdicts are already in $approved.
		add_filter( 'pre_comment_approved', array( __CLASS__, 'decide' ), 99, 2 );
		// Early, so that the meta exists before notifications and other plugins look.
		add_action( 'comment_post', array( __CLASS__, 'remember' ), 1, 3 );
	}

	/**
	 * The submission in WordPress's own field names, as Hakam's API takes it.
	 *
	 * @param array $comment Comment data (commentdata or a stored comment as an array).
	 * @return array
	 */
	public static function fields( array $comment ) {
		$locale  = get_locale();
		$post_id = (int) $comment['comment_post_ID'];
		$fields  = array(
			'comment'         => (string) $comment['comment_content'],
			'author'          => (string) $comment['comment_author'],
			'email'           => (string) $comment['comment_author_email'],
			'url'             => (string) $comment['comment_author_url'],
			'comment_post_ID' => (string) $comment['comment_post_ID'],
			'comment_parent'  => empty( $comment['comment_parent'] ) ? '' : (string) $comment['comment_parent'],
			'post_url'        => (string) get_permalink( (int) $comment['comment_post_ID'] ),
			'author_ip'       => isset( $comment['comment_author_IP'] ) ? (string) $comment['comment_author_IP'] : '',
			'user_agent'      => isset( $comment['comment_agent'] ) ? (string) $comment['comment_agent'] : '',
			// Hakam speaks in language subtags ("ar"), WordPress in locales ("ar", "en_US").
			'language'        => strtolower( strtok( $locale, '_' ) ),
			// The title as stored (no filters, no HTML entities): the moderator's card shows it.
			'post_title'      => (string) get_post_field( 'post_title', $post_id, 'raw' ),
			// A section closed some days after its posts start counts from publication.
			'post_date'       => (string) get_post_time( DATE_ATOM, true, $post_id ),
		);
		// A stored comment (sent again by WP-Cron) has its id already; a new one gets it only
		// once inserted, and is linked then (see link()).
		if ( ! empty( $comment['comment_ID'] ) ) {
			$fields['site_comment_id'] = (string) $comment['comment_ID'];
		}
		return $fields;
	}

	/**
	 * WordPress's comment_approved value for a Hakam status.
	 *
	 * @param string $status Hakam's status.
	 * @return int|string
	 */
	public static function wordpress_status( $status ) {
		switch ( $status ) {
			case 'approved':
				return 1;
			case 'spam':
				return 'spam';
			case 'rejected':
				return 'trash';
			default:
				return 0;
		}
	}

	/**
	 * The stricter of two comment_approved values: discarded, then held, then approved.
	 *
	 * @param int|string $wordpress WordPress's own verdict.
	 * @param int|string $hakam     Hakam's verdict.
	 * @return int|string
	 */
	public static function strictest( $wordpress, $hakam ) {
		if ( 'spam' === $wordpress || 'trash' === $wordpress ) {
			return $wordpress;
		}
		if ( 'spam' === $hakam || 'trash' === $hakam ) {
			return $hakam;
		}
		return ( 1 === (int) $wordpress && 1 === (int) $hakam ) ? 1 : 0;
	}

	/**
	 * The pre_comment_approved filter: asks Hakam, holds the comment when it cannot answer.
	 *
	 * @param int|string|WP_Error $approved    WordPress's verdict so far.
	 * @param array               $commentdata The comment about to be inserted.
	 * @return int|string|WP_Error
	 */
	public static function decide( $approved, $commentdata ) {
		if ( is_wp_error( $approved ) || ! Hakam_Settings::is_configured() ) {
			return $approved;
		}
		// Pingbacks and trackbacks have no reader, no email and no text of their own; Hakam's
		// required-field rules would refuse them all, so WordPress's own checks keep them.
		if ( ! empty( $commentdata['comment_type'] ) && 'comment' !== $commentdata['comment_type'] ) {
			return $approved;
		}
		$key    = wp_generate_uuid4();
		$fields = self::fields( $commentdata );
		$token  = Hakam_Nudge::token_sent();
		if ( '' !== $token ) {
			$fields['nudge_token'] = $token;  // edited, or posted anyway, after a nudge
		}
		$result = Hakam_Client::send_comment( $fields, $key, Hakam_Nudge::can_show() );
		if ( Hakam_Client::nudged( $result ) ) {
			Hakam_Nudge::answer( (string) $commentdata['comment_content'], $result['body'] );  // exits
		}

		self::$awaiting_id = array(
			'fingerprint' => self::fingerprint( $commentdata ),
			'key'         => $key,
			'result'      => $result,
			'wp_verdict'  => $approved,
		);
		if ( Hakam_Client::DECIDED === $result['outcome'] && isset( $result['body']['status'] ) ) {
			return self::strictest( $approved, self::wordpress_status( $result['body']['status'] ) );
		}
		if ( Hakam_Client::closed( $result ) ) {
			// The post's rules in Hakam close it: refused as WordPress refuses a closed post,
			// with Hakam's sentence (in the site's language); nothing is stored on either side.
			self::$awaiting_id = null;
			return new WP_Error( 'comment_closed', esc_html( (string) $result['body']['message'] ), 403 );
		}
		if ( Hakam_Client::author_refused( $result ) ) {
			// Moderators suspended or banned this author on the site: refused with Hakam's
			// sentence (the end date, in the site's language); nothing is stored on either side.
			self::$awaiting_id = null;
			return new WP_Error( 'comment_author_refused', esc_html( (string) $result['body']['message'] ), 403 );
		}
		return self::strictest( $approved, 0 );
	}

	/**
	 * The comment_post action: now that the comment has an id, keep Hakam's answer with it.
	 *
	 * @param int        $comment_id  The new comment's id.
	 * @param int|string $approved    Its comment_approved value.
	 * @param array      $commentdata The inserted data.
	 */
	public static function remember( $comment_id, $approved, $commentdata ) {
		$awaiting = self::$awaiting_id;
		if ( null === $awaiting || self::fingerprint( $commentdata ) !== $awaiting['fingerprint'] ) {
			return;
		}
		self::$awaiting_id = null;
		update_comment_meta( $comment_id, self::META_KEY, $awaiting['key'] );
		update_comment_meta( $comment_id, self::META_WP_VERDICT, (string) $awaiting['wp_verdict'] );
		self::record( $comment_id, $awaiting['result'] );
	}

	/**
	 * Keeps one answer from Hakam in the comment's meta; shared by intake and the retries.
	 *
	 * @param int   $comment_id WordPress comment id.
	 * @param array $result     A Hakam_Client result.
	 */
	public static function record( $comment_id, array $result ) {
		$body = $result['body'];
		switch ( $result['outcome'] ) {
			case Hakam_Client::DECIDED:
				update_comment_meta( $comment_id, self::META_ID, sanitize_text_field( (string) $body['id'] ) );
				update_comment_meta( $comment_id, self::META_STATUS, sanitize_key( (string) $body['status'] ) );
				update_comment_meta( $comment_id, self::META_REASONS, self::reasons( $body ) );
				update_comment_meta( $comment_id, self::META_CODES, self::reason_codes( $body ) );
				self::stop_retrying( $comment_id );
				self::link( $comment_id );
				break;
			case Hakam_Client::DUPLICATE:
				if ( ! empty( $body['first_id'] ) ) {
					update_comment_meta( $comment_id, self::META_ID, sanitize_text_field( (string) $body['first_id'] ) );
				}
				update_comment_meta( $comment_id, self::META_STATUS, 'duplicate' );
				self::stop_retrying( $comment_id );
				break;
			case Hakam_Client::REFUSED:
				// Sending the same fields again would be refused again; an editor decides.
				update_comment_meta( $comment_id, self::META_STATUS, 'refused' );
				update_comment_meta( $comment_id, self::META_LAST_ERROR, $result['detail'] );
				self::stop_retrying( $comment_id );
				self::log( sprintf( 'comment %d was refused by Hakam (%s); it stays held for moderation', $comment_id, $result['detail'] ) );
				break;
			default:
				$attempts = 1 + (int) get_comment_meta( $comment_id, self::META_ATTEMPTS, true );
				update_comment_meta( $comment_id, self::META_PENDING, '1' );
				update_comment_meta( $comment_id, self::META_ATTEMPTS, $attempts );
				update_comment_meta( $comment_id, self::META_LAST_ERROR, $result['detail'] );
				self::log( sprintf( 'comment %d could not reach Hakam (%s, attempt %d); it stays held and will be sent again', $comment_id, $result['detail'], $attempts ) );
				Hakam_Retry::schedule( $attempts );
		}
	}

	/**
	 * Tells Hakam the WordPress id of a comment it decided, so that a reply to it (whose
	 * comment_parent is that id) shows it to the moderator. Hakam was asked before WordPress
	 * numbered the comment; when it cannot be told now, WP-Cron tells it later.
	 *
	 * @param int $comment_id WordPress comment id.
	 * @return bool Whether Hakam has it.
	 */
	public static function link( $comment_id ) {
		$hakam_id = (string) get_comment_meta( $comment_id, self::META_ID, true );
		if ( '' === $hakam_id ) {
			delete_comment_meta( $comment_id, self::META_LINK );
			return true;
		}
		$result = Hakam_Client::link_comment( $hakam_id, $comment_id );
		// 404: Hakam no longer holds it (erased); nothing to link.
		if ( Hakam_Client::DECIDED === $result['outcome'] || 404 === $result['code'] ) {
			delete_comment_meta( $comment_id, self::META_LINK );
			return true;
		}
		update_comment_meta( $comment_id, self::META_LINK, '1' );
		self::log( sprintf( 'comment %d could not be linked to its Hakam copy yet (%s); WP-Cron will try again', $comment_id, $result['detail'] ) );
		Hakam_Retry::schedule( 1 );
		return false;
	}

	/**
	 * Hakam's reasons as short strings for the admin screen.
	 *
	 * @param array $body Hakam's answer.
	 * @return string[]
	 */
	private static function reasons( array $body ) {
		$reasons = array();
		foreach ( isset( $body['reasons'] ) && is_array( $body['reasons'] ) ? $body['reasons'] : array() as $reason ) {
			if ( is_array( $reason ) ) {
				$text = isset( $reason['message'] ) ? $reason['message'] : ( isset( $reason['code'] ) ? $reason['code'] : '' );
				if ( '' !== $text ) {
					$reasons[] = sanitize_text_field( (string) $text );
				}
			}
		}
		return $reasons;
	}

	/**
	 * Hakam's reason codes (never its scores), for the sentence the held comment's author reads.
	 *
	 * @param array $body Hakam's answer.
	 * @return string[]
	 */
	private static function reason_codes( array $body ) {
		$codes = array();
		foreach ( isset( $body['reasons'] ) && is_array( $body['reasons'] ) ? $body['reasons'] : array() as $reason ) {
			if ( is_array( $reason ) && isset( $reason['code'] ) ) {
				$codes[] = sanitize_key( (string) $reason['code'] );
			}
		}
		return $codes;
	}

	/**
	 * Clears the retry marks once Hakam has answered for good.
	 *
	 * @param int $comment_id WordPress comment id.
	 */
	private static function stop_retrying( $comment_id ) {
		delete_comment_meta( $comment_id, self::META_PENDING );
		delete_comment_meta( $comment_id, self::META_ATTEMPTS );
	}

	/**
	 * Matches the comment_post call to the filter call of the same request.
	 *
	 * @param array $commentdata Comment data.
	 * @return string
	 */
	private static function fingerprint( $commentdata ) {
		return md5( $commentdata['comment_post_ID'] . "\0" . $commentdata['comment_author'] . "\0" . $commentdata['comment_content'] );
	}

	/**
	 * Writes to the PHP error log. Callers pass ids and HTTP details only, never reader data.
	 *
	 * @param string $message What happened.
	 */
	public static function log( $message ) {
		// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		error_log( 'Hakam: ' . $message );
	}
}
