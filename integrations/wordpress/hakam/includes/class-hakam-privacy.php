<?php
/**
 * WordPress's privacy tools (Tools → Export Personal Data / Erase Personal Data) cover Hakam's
 * copy of a reader's comments: a personal-data exporter and an eraser that ask Hakam
 * (POST /v1/readers/export and /v1/readers/erase), and a suggested privacy-policy text.
 *
 * Hakam files comments under a keyed hash of the reader's email, so the email given to the
 * request is all it needs; it travels only in the body of an HTTPS request to Hakam and is
 * never logged. When Hakam cannot answer, the tool reports an error (nothing is marked done),
 * so the administrator can run it again: an erasure is never reported complete while Hakam
 * still holds the reader's comments.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The privacy hooks.
 */
class Hakam_Privacy {

	const GROUP = 'hakam-comments';

	/**
	 * Hooks the exporter, the eraser and the policy text.
	 */
	public static function register() {
		add_filter( 'wp_privacy_personal_data_exporters', array( __CLASS__, 'add_exporter' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'add_eraser' ) );
		add_action( 'admin_init', array( __CLASS__, 'suggest_policy_text' ) );
	}

	/**
	 * The wp_privacy_personal_data_exporters filter.
	 *
	 * @param array $exporters Registered exporters.
	 * @return array
	 */
	public static function add_exporter( $exporters ) {
		$exporters['hakam'] = array(
			'exporter_friendly_name' => __( 'Comment moderation (Hakam)', 'hakam' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * The wp_privacy_personal_data_erasers filter.
	 *
	 * @param array $erasers Registered erasers.
	 * @return array
	 */
	public static function add_eraser( $erasers ) {
		$erasers['hakam'] = array(
			'eraser_friendly_name' => __( 'Comment moderation (Hakam)', 'hakam' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * The exporter: one item per comment Hakam holds from this email, in one page.
	 *
	 * @param string $email_address The requester's email.
	 * @param int    $page          Page number (Hakam answers everything on page 1).
	 * @return array|WP_Error
	 */
	public static function export( $email_address, $page = 1 ) {
		if ( ! Hakam_Settings::is_configured() || (int) $page > 1 ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$answer = Hakam_Client::reader_request( 'export', $email_address );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$items = array();
		foreach ( isset( $answer['comments'] ) && is_array( $answer['comments'] ) ? $answer['comments'] : array() as $comment ) {
			if ( is_array( $comment ) && isset( $comment['id'] ) ) {
				$items[] = array(
					'group_id'          => self::GROUP,
					'group_label'       => __( 'Comment moderation (Hakam)', 'hakam' ),
					'group_description' => __( 'The copy of your comments that this site’s moderation service, Hakam, keeps: the comment, its scores, the moderators’ decisions and the training labels made from it.', 'hakam' ),
					'item_id'           => 'hakam-comment-' . sanitize_key( $comment['id'] ),
					'data'              => self::describe( $comment ),
				);
			}
		}
		foreach ( isset( $answer['labels'] ) && is_array( $answer['labels'] ) ? $answer['labels'] : array() as $number => $label ) {
			// Labels made from comments Hakam does not store (sent by an Akismet client).
			if ( is_array( $label ) ) {
				$items[] = array(
					'group_id'          => self::GROUP,
					'group_label'       => __( 'Comment moderation (Hakam)', 'hakam' ),
					'group_description' => __( 'The copy of your comments that this site’s moderation service, Hakam, keeps: the comment, its scores, the moderators’ decisions and the training labels made from it.', 'hakam' ),
					'item_id'           => 'hakam-label-' . (int) $number,
					'data'              => array(
						array(
							'name'  => __( 'Comment', 'hakam' ),
							'value' => (string) ( $label['text'] ?? '' ),
						),
						array(
							'name'  => __( 'Training labels', 'hakam' ),
							'value' => sprintf( '%s = %d (%s, %s)', $label['task'] ?? '', (int) ( $label['label'] ?? 0 ), $label['source'] ?? '', self::date( $label['at'] ?? 0 ) ),
						),
					),
				);
			}
		}
		return array(
			'data' => $items,
			'done' => true,
		);
	}

	/**
	 * The attribute scores Hakam measured for a comment ("insult 0.81, threat 0.12"); an
	 * attribute not measured (null: no head for the comment's language) is left out.
	 *
	 * @param array $scores The comment's scores as Hakam exports them.
	 * @return string
	 */
	private static function attribute_scores( array $scores ) {
		$names    = array(
			'identity_attack' => __( 'identity attack', 'hakam' ),
			'insult'          => __( 'insult', 'hakam' ),
			'profanity'       => __( 'profanity', 'hakam' ),
			'threat'          => __( 'threat', 'hakam' ),
		);
		$measured = array();
		foreach ( $names as $attribute => $name ) {
			if ( isset( $scores[ $attribute ] ) && is_numeric( $scores[ $attribute ] ) ) {
				$measured[] = $name . ' ' . number_format_i18n( (float) $scores[ $attribute ], 2 );
			}
		}
		/* translators: the separator between the items of a list. */
		return implode( _x( ', ', 'list separator', 'hakam' ), $measured );
	}

	/**
	 * One exported comment as WordPress's name/value pairs.
	 *
	 * @param array $comment A comment as Hakam exports it.
	 * @return array
	 */
	private static function describe( array $comment ) {
		$pairs = array(
			__( 'Comment', 'hakam' )  => (string) ( $comment['text'] ?? '' ),
			__( 'Name', 'hakam' )     => (string) ( $comment['author'] ?? '' ),
			__( 'Website', 'hakam' )  => (string) ( $comment['url'] ?? '' ),
			__( 'Post', 'hakam' )     => (string) ( $comment['post_url'] ?? ( $comment['post_id'] ?? '' ) ),
			__( 'Received', 'hakam' ) => self::date( $comment['created_at'] ?? 0 ),
			__( 'Status', 'hakam' )   => self::status( (string) ( $comment['status'] ?? '' ) ),
		);
		if ( isset( $comment['scores'] ) && is_array( $comment['scores'] ) ) {
			$pairs[ __( 'Scores', 'hakam' ) ] = sprintf(
				/* translators: 1: spam score, 2: abuse score, both between 0 and 1. */
				__( 'spam %1$s, abuse %2$s', 'hakam' ),
				number_format_i18n( (float) ( $comment['scores']['spam'] ?? 0 ), 2 ),
				number_format_i18n( (float) ( $comment['scores']['abuse'] ?? 0 ), 2 )
			);
			$attributes = self::attribute_scores( $comment['scores'] );
			if ( '' !== $attributes ) {
				$pairs[ __( 'Attribute scores', 'hakam' ) ] = $attributes;
			}
		}
		$history = array();
		foreach ( (array) ( $comment['history'] ?? array() ) as $event ) {
			if ( is_array( $event ) ) {
				// The status and when; moderators' names are the staff's data, not the reader's.
				$history[] = self::date( $event['at'] ?? 0 ) . ': ' . self::status( (string) ( $event['status'] ?? '' ) );
			}
		}
		$pairs[ __( 'Decisions', 'hakam' ) ] = implode( '; ', $history );
		$labels                              = array();
		foreach ( (array) ( $comment['labels'] ?? array() ) as $label ) {
			if ( is_array( $label ) ) {
				$labels[] = sprintf( '%s = %d (%s, %s)', $label['task'] ?? '', (int) ( $label['label'] ?? 0 ), $label['source'] ?? '', self::date( $label['at'] ?? 0 ) );
			}
		}
		$pairs[ __( 'Training labels', 'hakam' ) ] = $labels ? implode( '; ', $labels ) : __( 'none', 'hakam' );

		$data = array();
		foreach ( $pairs as $name => $value ) {
			if ( '' !== $value ) {
				$data[] = array(
					'name'  => $name,
					'value' => $value,
				);
			}
		}
		return $data;
	}

	/**
	 * The eraser: Hakam removes every comment of this email and everything made from them.
	 *
	 * @param string $email_address The requester's email.
	 * @param int    $page          Page number (Hakam erases everything on page 1).
	 * @return array|WP_Error
	 */
	public static function erase( $email_address, $page = 1 ) {
		$nothing = array(
			'items_removed'  => false,
			'items_retained' => false,
			'messages'       => array(),
			'done'           => true,
		);
		if ( ! Hakam_Settings::is_configured() || (int) $page > 1 ) {
			return $nothing;
		}
		$answer = Hakam_Client::reader_request( 'erase', $email_address );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$erased = isset( $answer['erased'] ) ? (int) $answer['erased'] : 0;
		if ( $erased > 0 || ! empty( $answer['labels'] ) ) {
			$nothing['items_removed'] = true;
		}
		if ( $erased > 0 ) {
			$nothing['messages'][]    = sprintf(
				/* translators: %d: number of comments. */
				_n(
					'Hakam erased its copy of %d comment, with its moderation history and training labels.',
					'Hakam erased its copy of %d comments, with their moderation history and training labels.',
					$erased,
					'hakam'
				),
				$erased
			);
		}
		return $nothing;
	}

	/**
	 * A suggested paragraph for the site's privacy policy (Settings → Privacy).
	 */
	public static function suggest_policy_text() {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$text = '<p>' . esc_html__( 'Comments are checked by Hakam, a moderation service run for this site. It receives the comment, your name, email, website, IP address and browser user agent. It keeps the comment, your name and website, and only keyed hashes of your email and IP address (used to recognise repeated and too-fast comments), with the moderators’ decisions and the training labels made from the comment. When you ask this site to export or erase your personal data, Hakam’s copy is included.', 'hakam' ) . '</p>';
		wp_add_privacy_policy_content( __( 'Hakam', 'hakam' ), wp_kses_post( $text ) );
	}

	/**
	 * A date as the site shows dates.
	 *
	 * @param float|int $timestamp Unix time.
	 * @return string
	 */
	private static function date( $timestamp ) {
		return $timestamp ? wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $timestamp ) : '';
	}

	/**
	 * A Hakam status in the site's language.
	 *
	 * @param string $status Hakam's status.
	 * @return string
	 */
	private static function status( $status ) {
		$names = array(
			'approved' => __( 'approved', 'hakam' ),
			'pending'  => __( 'held for review', 'hakam' ),
			'spam'     => __( 'spam', 'hakam' ),
			'rejected' => __( 'rejected', 'hakam' ),
		);
		return $names[ $status ] ?? $status;
	}
}
