<?php
/**
 * The HTTP calls to Hakam: send a comment, send an editor's feedback. Owns the short timeout and
 * how each answer is classified; never touches comments or logs a reader's email or IP.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * A thin client for Hakam's comment API.
 */
class Hakam_Client {

	/**
	 * Hakam answered with a decision (201, including an idempotent replay).
	 */
	const DECIDED = 'decided';

	/**
	 * Hakam could not be asked now (unreachable, slow, 5xx, 429, key refused): try again later.
	 */
	const RETRY = 'retry';

	/**
	 * Hakam refused the submission itself (400, 413, 415, 422): sending it again cannot help.
	 */
	const REFUSED = 'refused';

	/**
	 * Hakam already holds this text from this author on this post (409).
	 */
	const DUPLICATE = 'duplicate';

	/**
	 * Seconds to wait for Hakam before holding the comment; a reader is waiting on this request.
	 *
	 * @return float
	 */
	public static function timeout() {
		return (float) apply_filters( 'hakam_timeout', 3.0 );
	}

	/**
	 * Sends one comment to POST /v1/comments.
	 *
	 * @param array  $fields          The submission in WordPress's field names.
	 * @param string $idempotency_key Stable per WordPress comment, so a retry never creates a second one.
	 * @param bool   $nudge_ok        Whether the reader can be shown a nudge (else it is posted anyway).
	 * @return array { outcome: string, body: array, code: int, detail: string }
	 */
	public static function send_comment( array $fields, $idempotency_key, $nudge_ok = false ) {
		if ( ! $nudge_ok ) {
			// This reader cannot be shown a nudge (no JavaScript, a WP-Cron retry): Hakam takes
			// the comment as it always did (held if abusive) and counts no nudge for it.
			$fields['nudge'] = false;
		}
		return self::post( '/v1/comments', $fields, array( 'Idempotency-Key' => $idempotency_key ) );
	}

	/**
	 * Whether Hakam answered with a nudge (422, code nudge): the comment would be held for
	 * abuse; nothing was stored, and the reader may edit it or post it anyway.
	 *
	 * @param array $result A result of send_comment.
	 * @return bool
	 */
	public static function nudged( array $result ) {
		return 422 === $result['code'] && isset( $result['body']['code'], $result['body']['nudge_token'] )
			&& 'nudge' === $result['body']['code'];
	}

	/**
	 * Passes a reader's report on to POST /v1/comments/{id}/reports.
	 *
	 * @param string $hakam_id Hakam's comment id.
	 * @param string $reason   abuse, spam or other.
	 * @param string $reporter The site's id for the reader (Hakam keeps only a keyed hash).
	 * @return array { outcome: string, body: array, code: int, detail: string }
	 */
	public static function report_comment( $hakam_id, $reason, $reporter ) {
		return self::post(
			'/v1/comments/' . rawurlencode( $hakam_id ) . '/reports',
			array(
				'reason'   => $reason,
				'reporter' => $reporter,
			)
		);
	}

	/**
	 * Whether Hakam refused a comment because its post takes no comments (422 comments_closed).
	 *
	 * @param array $result A result of send_comment.
	 * @return bool
	 */
	public static function closed( array $result ) {
		return 422 === $result['code'] && isset( $result['body']['error'], $result['body']['message'] )
			&& 'comments_closed' === $result['body']['error'];
	}

	/**
	 * Whether Hakam refused a comment because moderators suspended or banned its author on the
	 * site (403 author_suspended / author_banned): final, not a key being rotated.
	 *
	 * @param array $result A result of send_comment.
	 * @return bool
	 */
	public static function author_refused( array $result ) {
		return 403 === $result['code'] && isset( $result['body']['error'], $result['body']['message'] )
			&& in_array( $result['body']['error'], array( 'author_suspended', 'author_banned' ), true );
	}

	/**
	 * Gives Hakam's copy of a comment its WordPress id: PATCH /v1/comments/{id}.
	 *
	 * @param string $hakam_id   Hakam's comment id.
	 * @param int    $comment_id WordPress comment id.
	 * @return array { outcome: string, body: array, code: int, detail: string }
	 */
	public static function link_comment( $hakam_id, $comment_id ) {
		return self::post(
			'/v1/comments/' . rawurlencode( $hakam_id ),
			array( 'site_comment_id' => (string) (int) $comment_id ),
			array(),
			'PATCH'
		);
	}

	/**
	 * Sends an editor's judgement to POST /v1/comments/{id}/feedback.
	 *
	 * @param string $hakam_id Hakam's comment id.
	 * @param string $label    One of spam, ham, abuse, ok.
	 * @return array { outcome: string, body: array, code: int, detail: string }
	 */
	public static function send_feedback( $hakam_id, $label ) {
		return self::post( '/v1/comments/' . rawurlencode( $hakam_id ) . '/feedback', array( 'label' => $label ) );
	}

	/**
	 * Passes a reader's privacy request on to Hakam: POST /v1/readers/export or /erase.
	 *
	 * An administrator waits on this, not a reader, so it may take longer than a comment; the
	 * email goes in the body only and is never logged.
	 *
	 * @param string $what          'export' or 'erase'.
	 * @param string $email_address The reader's email.
	 * @return array|WP_Error Hakam's answer, or an error the privacy screen shows.
	 */
	public static function reader_request( $what, $email_address ) {
		$response = wp_remote_post(
			Hakam_Settings::url() . '/v1/readers/' . ( 'erase' === $what ? 'erase' : 'export' ),
			array(
				'timeout'     => (float) apply_filters( 'hakam_privacy_timeout', 20.0 ),
				'redirection' => 0,
				'headers'     => array(
					'Authorization' => 'Bearer ' . Hakam_Settings::site_key(),
					'Content-Type'  => 'application/json; charset=utf-8',
				),
				'body'        => wp_json_encode( array( 'email' => (string) $email_address ) ),
			)
		);
		$code = is_wp_error( $response ) ? 0 : (int) wp_remote_retrieve_response_code( $response );
		$body = is_wp_error( $response ) ? null : json_decode( wp_remote_retrieve_body( $response ), true );
		if ( 200 === $code && is_array( $body ) ) {
			return $body;
		}
		$detail = is_wp_error( $response ) ? $response->get_error_code() : 'HTTP ' . $code;
		Hakam_Intake::log( sprintf( 'a personal data %s request could not be completed by Hakam (%s)', $what, $detail ) );
		return new WP_Error(
			'hakam_unavailable',
			'erase' === $what
				/* translators: %s: what went wrong, such as "HTTP 503". */
				? sprintf( __( 'Hakam could not erase its copy of this person’s comments (%s); nothing there was erased. Please try again.', 'hakam' ), $detail )
				/* translators: %s: what went wrong, such as "HTTP 503". */
				: sprintf( __( 'Hakam could not export its copy of this person’s comments (%s). Please try again.', 'hakam' ), $detail )
		);
	}

	/**
	 * POSTs JSON to Hakam with the site key, short timeout and no redirects.
	 *
	 * @param string $path          Path under the Hakam URL.
	 * @param array  $body          Encoded as JSON.
	 * @param array  $extra_headers Added to the authorisation and content type.
	 * @param string $method        POST, or PATCH.
	 * @return array { outcome: string, body: array, code: int, detail: string }
	 */
	private static function post( $path, array $body, array $extra_headers = array(), $method = 'POST' ) {
		$response = wp_remote_request(
			Hakam_Settings::url() . $path,
			array(
				'method'      => $method,
				'timeout'     => self::timeout(),
				'redirection' => 0,
				'headers'     => array_merge(
					array(
						'Authorization' => 'Bearer ' . Hakam_Settings::site_key(),
						'Content-Type'  => 'application/json; charset=utf-8',
					),
					$extra_headers
				),
				'body'        => wp_json_encode( $body ),
			)
		);
		return self::classify( $response );
	}

	/**
	 * Sorts an answer into what the caller should do next.
	 *
	 * @param array|WP_Error $response A wp_remote_post result.
	 * @return array
	 */
	private static function classify( $response ) {
		if ( is_wp_error( $response ) ) {
			return array(
				'outcome' => self::RETRY,
				'body'    => array(),
				'code'    => 0,
				'detail'  => $response->get_error_code(),
			);
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$body = json_decode( wp_remote_retrieve_body( $response ), true );
		$body = is_array( $body ) ? $body : array();
		if ( ( 200 === $code || 201 === $code ) && ! $body ) {
			// A success whose answer was cut off (the server died mid-response): ask again;
			// the same Idempotency-Key brings back the first answer, never a second comment.
			$outcome = self::RETRY;
		} elseif ( 200 === $code || 201 === $code ) {
			$outcome = self::DECIDED;
		} elseif ( 409 === $code ) {
			$outcome = self::DUPLICATE;
		} elseif ( in_array( $code, array( 400, 404, 413, 415, 422 ), true ) ) {
			$outcome = self::REFUSED;
		} else {
			// 401/403 (a key being rotated), 429 and 5xx can all succeed later.
			$outcome = self::RETRY;
		}
		$detail = 'HTTP ' . $code;
		if ( 422 === $code && isset( $body['errors'] ) && is_array( $body['errors'] ) ) {
			// Only the field names: the messages could quote what the reader typed.
			$detail .= ' invalid fields: ' . implode( ', ', array_map( 'sanitize_key', array_keys( $body['errors'] ) ) );
		}
		return array(
			'outcome' => $outcome,
			'body'    => $body,
			'code'    => $code,
			'detail'  => $detail,
		);
	}
}
