<?php
/**
 * The post, its comments and WordPress's comment form; nothing else.
 *
 * @package HakamE2E
 */
?><!doctype html>
<html <?php language_attributes(); ?>>
<head><meta charset="<?php bloginfo( 'charset' ); ?>"><?php wp_head(); ?></head>
<body>
<?php
while ( have_posts() ) {
	the_post();
	the_title( '<h1>', '</h1>' );
	the_content();
	if ( comments_open() || get_comments_number() ) {
		comments_template();
	}
}
wp_footer();
?>
</body>
</html>
