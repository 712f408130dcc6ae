<?php
/**
 * WordPress's own comment list (html5, with its "awaiting moderation" note) and form.
 *
 * @package HakamE2E
 */
?>
<section id="comments">
<ol class="comment-list"><?php wp_list_comments( array( 'style' => 'ol', 'format' => 'html5' ) ); ?></ol>
<?php comment_form(); ?>
</section>
