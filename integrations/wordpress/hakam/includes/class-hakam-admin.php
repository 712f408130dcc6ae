<?php
/**
 * Hakam's column in the comments admin screen (edit-comments.php): what Hakam decided and why,
 * or that the comment is still waiting to reach Hakam. Display only.
 *
 * @package Hakam
 */

defined( 'ABSPATH' ) || exit;

/**
 * The comments screen column.
 */
class Hakam_Admin {

	/**
	 * Hooks the column.
	 */
	public static function register() {
		add_filter( 'manage_edit-comments_columns', array( __CLASS__, 'add_column' ) );
		add_action( 'manage_comments_custom_column', array( __CLASS__, 'render_column' ), 10, 2 );
	}

	/**
	 * Adds the Hakam column.
	 *
	 * @param array $columns Column ids and titles.
	 * @return array
	 */
	public static function add_column( $columns ) {
		$columns['hakam'] = __( 'Hakam', 'hakam' );
		return $columns;
	}

	/**
	 * A human label for a status kept in meta.
	 *
	 * @param string $status Hakam's status, or the plugin's own refused/duplicate.
	 * @return string
	 */
	public static function status_label( $status ) {
		$labels = array(
			'approved'  => __( 'Approved by Hakam', 'hakam' ),
			'pending'   => __( 'Held for review by Hakam', 'hakam' ),
			'spam'      => __( 'Spam according to Hakam', 'hakam' ),
			'rejected'  => __( 'Rejected by a Hakam moderator', 'hakam' ),
			'refused'   => __( 'Refused by Hakam (invalid submission)', 'hakam' ),
			'duplicate' => __( 'Already received by Hakam', 'hakam' ),
		);
		return isset( $labels[ $status ] ) ? $labels[ $status ] : $status;
	}

	/**
	 * Prints one comment's cell.
	 *
	 * @param string $column     Column id.
	 * @param int    $comment_id Comment id.
	 */
	public static function render_column( $column, $comment_id ) {
		if ( 'hakam' !== $column ) {
			return;
		}
		if ( get_comment_meta( $comment_id, Hakam_Intake::META_PENDING, true ) ) {
			echo '<span class="hakam-waiting">' . esc_html__( 'Waiting to reach Hakam; will be sent again', 'hakam' ) . '</span>';
			return;
		}
		$status = (string) get_comment_meta( $comment_id, Hakam_Intake::META_STATUS, true );
		if ( '' === $status ) {
			echo '&#8212;';
			return;
		}
		printf( '<strong class="hakam-status hakam-status-%s">%s</strong>', esc_attr( $status ), esc_html( self::status_label( $status ) ) );
		$reasons = (array) get_comment_meta( $comment_id, Hakam_Intake::META_REASONS, true );
		if ( $reasons ) {
			echo '<ul class="hakam-reasons">';
			foreach ( $reasons as $reason ) {
				echo '<li>' . esc_html( $reason ) . '</li>';
			}
			echo '</ul>';
		}
		$hakam_id = (string) get_comment_meta( $comment_id, Hakam_Intake::META_ID, true );
		if ( '' !== $hakam_id ) {
			printf( '<small class="hakam-id" dir="ltr">%s</small>', esc_html( $hakam_id ) );
		}
	}
}
