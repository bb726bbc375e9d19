<?php
/**
 * wp-config.php of the offline wordpress:6.2.1-apache stand-in (ci/images/wordpress). docker-entrypoint.sh copies
 * it to /var/www/html/wp-config.php once. As in the official image, every setting is read from the environment
 * on each request, so the file on the volume follows the container's env:
 *   WORDPRESS_DB_HOST (default mysql), WORDPRESS_DB_USER (default root), WORDPRESS_DB_PASSWORD (default empty),
 *   WORDPRESS_DB_NAME (default wordpress), WORDPRESS_DB_CHARSET, WORDPRESS_DB_COLLATE, WORDPRESS_TABLE_PREFIX,
 *   WORDPRESS_AUTH_KEY ... WORDPRESS_NONCE_SALT, WORDPRESS_DEBUG, WORDPRESS_CONFIG_EXTRA; each also as <NAME>_FILE.
 */

if (!function_exists('getenv_docker')) {
	function getenv_docker($env, $default) {
		if ($file = getenv($env . '_FILE')) {
			return rtrim(file_get_contents($file), "\r\n");
		}
		$val = getenv($env);
		return $val === false ? $default : $val;
	}
}

define('DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', getenv_docker('WORDPRESS_DB_USER', 'root'));
define('DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', ''));
define('DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', getenv_docker('WORDPRESS_DB_CHARSET', 'utf8'));
define('DB_COLLATE', getenv_docker('WORDPRESS_DB_COLLATE', ''));

// docker-entrypoint.sh replaces each 'put your unique phrase here' with a random value when it writes the file
define('AUTH_KEY',         getenv_docker('WORDPRESS_AUTH_KEY',         'put your unique phrase here'));
define('SECURE_AUTH_KEY',  getenv_docker('WORDPRESS_SECURE_AUTH_KEY',  'put your unique phrase here'));
define('LOGGED_IN_KEY',    getenv_docker('WORDPRESS_LOGGED_IN_KEY',    'put your unique phrase here'));
define('NONCE_KEY',        getenv_docker('WORDPRESS_NONCE_KEY',        'put your unique phrase here'));
define('AUTH_SALT',        getenv_docker('WORDPRESS_AUTH_SALT',        'put your unique phrase here'));
define('SECURE_AUTH_SALT', getenv_docker('WORDPRESS_SECURE_AUTH_SALT', 'put your unique phrase here'));
define('LOGGED_IN_SALT',   getenv_docker('WORDPRESS_LOGGED_IN_SALT',   'put your unique phrase here'));
define('NONCE_SALT',       getenv_docker('WORDPRESS_NONCE_SALT',       'put your unique phrase here'));

$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');

define('WP_DEBUG', !!getenv_docker('WORDPRESS_DEBUG', ''));

// behind a TLS-terminating proxy
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

if ($configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {
	eval($configExtra);
}

if (!defined('ABSPATH')) {
	define('ABSPATH', __DIR__ . '/');
}

require_once ABSPATH . 'wp-settings.php';
