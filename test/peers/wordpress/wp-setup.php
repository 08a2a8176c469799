<?php
// One-shot WordPress installer (replaces wp-cli, which is not packaged in bookworm).
// Usage: WP_HOSTPORT=127.0.0.1:18080 php wp-setup.php   -> prints KEY=VALUE lines
$_SERVER['HTTP_HOST']   = getenv('WP_HOSTPORT');
$_SERVER['SERVER_NAME'] = preg_replace('/:.*/', '', getenv('WP_HOSTPORT'));
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$admin_user = getenv('WP_ADMIN_USER'); $admin_pass = getenv('WP_ADMIN_PASS');
if (!is_blog_installed()) {
    wp_install('RealPeers WordPress', $admin_user, $admin_user . '@example.test', false, '', wp_slash($admin_pass));
}
update_option('permalink_structure', '/%postname%/');  // enables /wp-json/ routes
// A site zone away from UTC on purpose: `modified`/`date` are site-local without a suffix, and the
// adapter must not confuse them with the *_gmt fields (WP_TIMEZONE=UTC to turn this off).
$tz = getenv('WP_TIMEZONE') ?: 'Asia/Kolkata';
update_option('timezone_string', $tz);
update_option('gmt_offset', 0);
delete_option('rewrite_rules');                         // regenerated on next request
$user = get_user_by('login', $admin_user);
// fresh Application Password each run (old ones named "realpeers" are revoked)
foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
    if ($item['name'] === 'realpeers') WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
}
$created = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'realpeers'));
if (is_wp_error($created)) { fwrite(STDERR, $created->get_error_message() . "\n"); exit(1); }
echo "WP_USER=" . $admin_user . "\n";
echo "WP_APP_PASSWORD=" . $created[0] . "\n";
