"""A real WordPress for the end-to-end test: Debian's WordPress core, a fresh MariaDB database,
the Hakam plugin built from the sources, served by `php -S`; and `hakam serve` under gunicorn.

Nothing here touches the system's WordPress configuration: the core is copied into a temporary
folder with its own wp-config.php (Debian's reads /etc/wordpress), and only wp-includes, which
has no entry points, is linked. The database gets a unique name and is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.redis_harness import free_port, wait_for_http

WORDPRESS = Path("/usr/share/wordpress")
REPOSITORY = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPOSITORY / "integrations" / "wordpress" / "build.sh"
SYSTEM_DEPS = REPOSITORY / "integrations" / "wordpress" / "tests-system-deps.txt"
HERE = Path(__file__).resolve().parent
MARIADB = {"host": "127.0.0.1", "port": "3306", "user": "root"}


def missing_requirements() -> list[str]:
    """What this machine lacks for the test, in words an operator can act on."""
    missing = []
    if not (WORDPRESS / "wp-settings.php").exists():
        missing.append("WordPress in /usr/share/wordpress (package wordpress)")
    if not (WORDPRESS / "wp-content" / "languages" / "ar.mo").exists():
        missing.append("WordPress's Arabic translation (package wordpress-l10n)")
    for program, package in (("php", "php-cli"), ("msgfmt", "gettext"),
                             ("mysql", "mariadb-client")):
        if shutil.which(program) is None:
            missing.append(f"{program} (package {package})")
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout \
        if shutil.which("php") else ""
    if shutil.which("php") and "mysqli" not in modules:
        missing.append("PHP's mysqli extension (package php-mysql)")
    if shutil.which("php") and "zip" not in modules.split():
        missing.append("PHP's zip extension, which Export Personal Data needs (package php-zip)")
    return missing


def mysql(sql: str, database: str | None = None) -> list[list[str]]:
    command = ["mysql", "-h", MARIADB["host"], "-P", MARIADB["port"], "-u", MARIADB["user"],
               "--default-character-set=utf8mb4", "-N", "-B"]
    if database:
        command.append(database)
    result = subprocess.run(command, input=sql, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"mysql failed: {result.stderr.strip()}")
    return [line.split("\t") for line in result.stdout.splitlines()]


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class WordPressSite:
    """One throwaway WordPress site with the Hakam plugin active."""

    admin_user = "admin"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / "wordpress"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = f"hakam_wp_{secrets.token_hex(6)}"
        self.admin_password = secrets.token_urlsafe(12)
        self.php_log = folder / "php-errors.log"
        self.server: subprocess.Popen | None = None
        self.post_id = 0
        self.post_url = ""

    # -- setting up -------------------------------------------------------------------------

    def create(self, hakam_url: str, site_key: str, webhook_secret: str) -> None:
        self.site_key = site_key
        mysql(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4 "
              "COLLATE utf8mb4_unicode_ci")
        self._copy_core()
        self._write_config()
        content = self.root / "wp-content"
        subprocess.run([str(BUILD_SCRIPT), str(self.folder / "plugin-build")], check=True,
                       capture_output=True)
        shutil.copytree(self.folder / "plugin-build" / "hakam", content / "plugins" / "hakam")
        shutil.copy(HERE / "test-environment.php", content / "mu-plugins")
        installed = self._php("wordpress_install.php", str(self.root), hakam_url, site_key,
                              webhook_secret, self.admin_password)
        facts = json.loads(installed.strip().splitlines()[-1])
        self.post_id, self.post_url = facts["post_id"], facts["post_url"]
        self._php("wordpress_activate.php", str(self.root))

    def _copy_core(self) -> None:
        self.root.mkdir(parents=True)
        for entry in WORDPRESS.iterdir():
            if entry.name in ("wp-config.php", "wp-content"):
                continue
            if entry.name == "wp-includes":
                # Loaded only through ABSPATH, so a link is safe (and saves copying 46 MB).
                (self.root / entry.name).symlink_to(entry)
            elif entry.is_dir():
                shutil.copytree(entry, self.root / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, self.root / entry.name, follow_symlinks=False)
        content = self.root / "wp-content"
        (content / "plugins").mkdir(parents=True)
        (content / "mu-plugins").mkdir()
        (content / "themes").mkdir()
        # Debian's WordPress ships no theme: the smallest one that shows the comment form
        shutil.copytree(HERE / "theme", content / "themes" / "hakam-e2e")
        (content / "languages").symlink_to(WORDPRESS / "wp-content" / "languages")

    def _write_config(self) -> None:
        keys = "\n".join(
            f"define( '{name}', '{secrets.token_hex(32)}' );" for name in (
                "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
                "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"))
        (self.root / "wp-config.php").write_text(f"""<?php
define( 'DB_NAME', '{self.database}' );
define( 'DB_USER', '{MARIADB["user"]}' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '{MARIADB["host"]}:{MARIADB["port"]}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{keys}
$table_prefix = 'wp_';
define( 'WP_HOME', '{self.url}' );
define( 'WP_SITEURL', '{self.url}' );
// No internet here: calls to wordpress.org would each wait for a timeout. Hakam on
// 127.0.0.1 is still reachable (the site's own host is always allowed).
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISALLOW_FILE_MODS', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
// WP-Cron runs from an outside request to wp-cron.php, as on sites with a system cron job:
// the loopback request WordPress spawns itself is cut off under `php -S` and leaves its
// lock behind for a minute, which would make the retry test wait on the lock, not the plugin.
define( 'DISABLE_WP_CRON', true );
define( 'WP_DEBUG', false );
if ( ! defined( 'ABSPATH' ) ) {{
    define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
""")

    def _php(self, script: str, *args: str) -> str:
        result = subprocess.run(
            ["php", "-d", "log_errors=1", "-d", f"error_log={self.php_log}",
             str(HERE / script), *args],
            capture_output=True, text=True, timeout=120, env={**os.environ,
                                                            "HTTP_HOST": f"127.0.0.1:{self.port}"})
        if result.returncode != 0:
            raise RuntimeError(f"{script} failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
        return result.stdout

    def serve(self) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self.server = subprocess.Popen(
            ["php", "-d", "log_errors=1", "-d", f"error_log={self.php_log}", "-d",
             "display_errors=0", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        wait_for_http(self.url + "/wp-login.php", process=self.server)

    def destroy(self) -> None:
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
        mysql(f"DROP DATABASE IF EXISTS `{self.database}`")

    # -- looking at it ----------------------------------------------------------------------

    @property
    def webhook_url(self) -> str:
        # Plain permalinks: the REST API answers at ?rest_route=.
        return f"{self.url}/?rest_route=/hakam/v1/decision"

    def query(self, sql: str) -> list[list[str]]:
        return mysql(sql, self.database)

    def comment_by_author(self, author: str) -> dict | None:
        rows = self.query("SELECT comment_ID, comment_approved FROM wp_comments "
                          f"WHERE comment_author = {quote(author)} ORDER BY comment_ID DESC")
        if not rows:
            return None
        comment_id, approved = rows[0]
        meta = dict(self.query("SELECT meta_key, meta_value FROM wp_commentmeta "
                               f"WHERE comment_id = {int(comment_id)}"))
        return {"id": int(comment_id), "approved": approved, "meta": meta}

    def set_option(self, name: str, value: str) -> None:
        # Plain strings only (WordPress serialises arrays); no object cache, so this is live.
        self.query(f"UPDATE wp_options SET option_value = {quote(value)} "
                   f"WHERE option_name = {quote(name)}")

    def php_log_text(self) -> str:
        return self.php_log.read_text(errors="replace") if self.php_log.exists() else ""

    # -- acting on it -----------------------------------------------------------------------

    def post_comment(self, *, author: str, email: str, text: str, url: str = "",
                     parent: int = 0) -> int:
        """Submits the comment form as a logged-out reader (a reply to the comment `parent`
        when given); returns the HTTP status."""
        response = requests.post(
            f"{self.url}/wp-comments-post.php", allow_redirects=False, timeout=30,
            data={"comment": text, "author": author, "email": email, "url": url,
                  "submit": "إرسال التعليق", "comment_post_ID": str(self.post_id),
                  "comment_parent": str(parent)},
            headers={"User-Agent": "Mozilla/5.0 (e2e test reader)"})
        return response.status_code

    def admin_session(self) -> requests.Session:
        session = requests.Session()
        session.get(f"{self.url}/wp-login.php", timeout=30)  # sets the test cookie
        response = session.post(
            f"{self.url}/wp-login.php", allow_redirects=False, timeout=30,
            data={"log": self.admin_user, "pwd": self.admin_password, "wp-submit": "Log In",
                  "redirect_to": f"{self.url}/wp-admin/", "testcookie": "1"})
        if response.status_code != 302:
            raise RuntimeError(f"admin login failed with {response.status_code}")
        return session

    def privacy_request(self, email: str, action: str) -> dict:
        """Files an export_personal_data or remove_personal_data request for `email` as an
        administrator does (wp_create_user_request); answers its id and confirmation link."""
        return json.loads(self._php("wordpress_privacy_request.php", str(self.root), email,
                                    action).strip().splitlines()[-1])

    def run_privacy_tool(self, admin: requests.Session, request_id: int, tool: str) -> list:
        """Runs Tools → Export or Erase Personal Data on a request as its screen's script does
        (wp-admin/js/privacy-tools.js): every exporter or eraser, page by page, through
        admin-ajax.php with the nonce the screen gives. Answers each step's JSON answer."""
        screen, action, noun = {
            "export": ("export-personal-data.php", "wp-privacy-export-personal-data",
                       "exporter"),
            "erase": ("erase-personal-data.php", "wp-privacy-erase-personal-data", "eraser"),
        }[tool]
        page = admin.get(f"{self.url}/wp-admin/{screen}", timeout=30).text
        found = re.search(rf'data-{noun}s-count="(\d+)" data-request-id="{request_id}" '
                          r'data-nonce="([0-9a-f]+)"', page)
        if not found:
            raise AssertionError(f"no {tool} button for request {request_id} on {screen}")
        count, nonce = int(found.group(1)), found.group(2)
        steps = []
        for index in range(1, count + 1):
            for page_number in range(1, 50):
                form = {"action": action, "id": str(request_id), noun: str(index),
                        "page": str(page_number), "security": nonce}
                if tool == "export":
                    form["sendAsEmail"] = "false"
                answer = admin.post(f"{self.url}/wp-admin/admin-ajax.php", data=form,
                                    timeout=60).json()
                steps.append(answer)
                if not answer.get("success") or answer["data"].get("done"):
                    break
            if not answer.get("success"):
                break
        return steps

    def run_cron(self) -> None:
        requests.get(f"{self.url}/wp-cron.php?doing_wp_cron", timeout=30)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.3, what: str = "it"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
