#!/usr/bin/python3
"""Keeps examples/simple-api/README.md true, end to end.

Runs the example's manifest as the README says (on free loopback ports, with a
fresh state folder), waits for /readyz, then runs every command of the
README's terminal sessions (readme_session.py) and checks each shows what the
README says; sends an edited manifest (a smaller max_name_length) and checks
the running plugin applies it without a restart. Then stops the host (it must stop cleanly), starts it again on
the same state folder and checks the users are still there (SQLite, not
memory), and stops it again.

  simple_api_example_test.py SOURCE_DIR HYPERION_BINARY BIN_DIR
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from free_ports import free_port  # noqa: E402

README = "examples/simple-api/README.md"
MANIFEST = "examples/simple-api/simple-api.yaml"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


class Host:
    def __init__(self, src, hyperion, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen([hyperion, "run", MANIFEST], cwd=src, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, health_url):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"the host exited with {self.process.returncode} before it was ready", self.log_path)
            if get(health_url + "/readyz")[0] == 200:
                return
            time.sleep(0.05)
        fail("the host was not ready within 60 s", self.log_path)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail("the host did not stop within 60 s of SIGTERM", self.log_path)
        self.log.close()
        if code != 0:
            fail(f"the host exited with {code} after SIGTERM", self.log_path)


def fail(message, log_path=None):
    print("FAIL: " + message, file=sys.stderr)
    if log_path:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            print(f.read(), file=sys.stderr)
    sys.exit(1)


def post_user(http, email, name):
    request = urllib.request.Request(f"http://127.0.0.1:{http}/v1/users", method="POST",
                                     data=('{"email": "%s", "name": "%s"}' % (email, name)).encode(),
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def reload_changes_the_rules_live(src, hyperion, env, work, http, log):
    """As the README's "Revisions" says: a new max_name_length applies without a restart."""
    with open(os.path.join(src, MANIFEST), encoding="utf-8") as f:
        manifest = f.read()
    if "max_name_length: 100" not in manifest:
        fail(f"{MANIFEST} no longer sets max_name_length: 100")
    edited = os.path.join(work, "edited.yaml")
    with open(edited, "w", encoding="utf-8") as f:
        f.write(manifest.replace("max_name_length: 100", "max_name_length: 5"))
    reload = subprocess.run([hyperion, "reload", "--file", edited], env=env, capture_output=True, text=True,
                            timeout=60)
    if reload.returncode != 0:
        fail(f"hyperion reload --file: {reload.returncode} {reload.stdout} {reload.stderr}", log)
    status, body = post_user(http, "long@example.com", "Charles Babbage")
    if status != 422 or '"message":"longer than 5 characters"' not in body:
        fail(f"after the reload, a 15-character name got {status} {body}", log)
    history = subprocess.run([hyperion, "history"], env=env, capture_output=True, text=True, timeout=60)
    if history.returncode != 0 or not history.stdout.startswith("2"):
        fail(f"hyperion history after the reload: {history.stdout} {history.stderr}", log)
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if "instance \"users\" restarted" in text or text.count("users in ") != 1:
        fail("the reload restarted the users instance; max_name_length is dynamic", log)


def main():
    src, hyperion, bin_dir = sys.argv[1:4]
    with open(os.path.join(src, README), encoding="utf-8") as f:
        readme = f.read()
    # The two commands of "Run it" are the ones this test stands for.
    for command in ["./scripts/setup.sh && ./scripts/build.sh", f"build/bin/hyperion run {MANIFEST}"]:
        if command not in readme:
            fail(f"{README} no longer says `{command}`")

    with tempfile.TemporaryDirectory() as work:
        http, grpc, health, admin = free_port(), free_port(), free_port(), free_port()
        env = dict(os.environ, HYPERION_STATE_DIR=os.path.join(work, "state"),
                   SIMPLE_API_HTTP=f"127.0.0.1:{http}", SIMPLE_API_GRPC=f"127.0.0.1:{grpc}",
                   SIMPLE_API_HEALTH=f"127.0.0.1:{health}", HYPERION_ADMIN_LISTEN=f"127.0.0.1:{admin}")
        env.pop("SIMPLE_API_DB", None)
        log = os.path.join(work, "host.log")
        health_url = f"http://127.0.0.1:{health}"

        host = Host(src, hyperion, env, log)
        try:
            host.wait_ready(health_url)
            session = subprocess.run(
                [sys.executable, os.path.join(os.path.dirname(__file__), "readme_session.py"),
                 os.path.join(src, README), "--cwd", src,
                 "--sub", f"build/bin/users-client=build/bin/users-client --target 127.0.0.1:{grpc}",
                 "--sub", f"build/bin/={bin_dir}/",
                 "--sub", f"127.0.0.1:8081=127.0.0.1:{http}",
                 "--sub", f"127.0.0.1:8082=127.0.0.1:{health}",
                 "--env", f"HYPERION_STATE_DIR={env['HYPERION_STATE_DIR']}"])
            if session.returncode != 0:
                fail("the README's session differs (above)", log)
            reload_changes_the_rules_live(src, hyperion, env, work, http, log)
        finally:
            if host.process.poll() is None:
                host.stop()
        with open(log, encoding="utf-8", errors="replace") as f:
            if "stopped cleanly" not in f.read():
                fail("the host did not say it stopped cleanly", log)

        # The data outlives the process: a second run on the same state folder.
        host = Host(src, hyperion, env, log)
        try:
            host.wait_ready(health_url)
            status, body = get(f"http://127.0.0.1:{http}/v1/users/1")
            if status != 200 or '"name":"Augusta Ada King"' not in body:
                fail(f"after a restart, user 1 is {status} {body}", log)
        finally:
            if host.process.poll() is None:
                host.stop()
    print("simple-api example: the README's commands show what it says, and the users outlive a restart")


if __name__ == "__main__":
    main()
