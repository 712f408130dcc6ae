<?php
/**
 * Must-use plugin for the end-to-end test site only: things a test machine needs that a real
 * site would not want.
 */

// All test readers post from 127.0.0.1; WordPress would take them for one flooding reader.
add_filter( 'wp_is_comment_flood', '__return_false', 20 );
// No mail server here.
add_filter( 'pre_wp_mail', '__return_false' );
// Retry at the next WP-Cron run instead of a minute later, so the test need not wait.
add_filter( 'hakam_retry_delay', '__return_zero' );
