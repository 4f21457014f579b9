"""A real ``valet-api`` process whose file inventory matches the fake
computes of the nova tests (nova's ``SmallFakeDriver``: 2 vCPUs, 8 GB RAM,
1028 GB disk; nova's initial allocation ratios 4.0 / 1.0 / 1.0; nova's
default flavors)."""

import pathlib
import shutil
import socket
import tempfile
import threading

from tests.support.live_server import call, free_port, start_server, stop, wait_until_up, write_conf

HOSTS = {"host1": "r1", "host2": "r1", "host3": "r2", "host4": "r2"}

FLAVORS = {"m1.tiny": ("1", 1, 512, 1), "m1.small": ("2", 1, 2048, 20),
           "m1.medium": ("3", 2, 4096, 40)}


def inventory_text():
    lines = ["datacenter: nova-test",
             "defaults: {cpu_allocation_ratio: 4.0, ram_allocation_ratio: 1.0,"
             " disk_allocation_ratio: 1.0}",
             "flavors:"]
    lines += [f'  {name}: {{id: "{flavor_id}", vcpus: {vcpus}, ram: {ram}, disk: {disk}}}'
              for name, (flavor_id, vcpus, ram, disk) in FLAVORS.items()]
    lines += ["racks:", "  r1: {cluster: c1}", "  r2: {cluster: c1}", "hosts:"]
    lines += [f"  - {{name: {host}, rack: {rack}, availability_zone: nova, vcpus: 2,"
              " memory_mb: 8192, disk_gb: 1028}" for host, rack in HOSTS.items()]
    return "\n".join(lines) + "\n"


class ValetServer:
    """``valet-api`` on 127.0.0.1 (noauth, SQLite, one worker) in a
    temporary directory; :meth:`stop` ends it, removes the directory and
    returns the log."""

    def __init__(self):
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="valet-nova-"))
        (self.directory / "inventory.yaml").write_text(inventory_text())
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        # NOTE: as write_conf puts it: the leader's sync writes there too.
        self.database = f"sqlite:///{self.directory / 'state' / 'valet.sqlite'}"
        conf = write_conf(self.directory, port, self.directory / "inventory.yaml")
        self.process, self.log = start_server(self.directory, conf)
        try:
            wait_until_up(self.url, self.process, timeout=60.0)
        except Exception:
            self.stop()
            raise

    def call(self, method, path, body=None):
        return call(self.url, method, path, body)

    def expect(self, status, method, path, body=None):
        """The answer's body; fails with Valet's own answer otherwise."""
        got, answer = self.call(method, path, body)
        assert got == status, f"{method} {path}: {got} {answer}"
        return answer

    def forget_everything(self):
        """Release every plan and delete every named group, so that the
        next test starts from an empty data centre."""
        for plan in self.expect(200, "GET", "/v1/plans")["plans"]:
            self.expect(204, "DELETE", f"/v1/plans/{plan['id']}")
        for group in self.expect(200, "GET", "/v1/groups")["groups"]:
            # NOTE: a group with member projects cannot be deleted (409).
            self.expect(204, "DELETE", f"/v1/groups/{group['id']}/members")
            self.expect(204, "DELETE", f"/v1/groups/{group['id']}")

    def stop(self):
        """Stop the server and remove its directory; its log."""
        try:
            stop(self.process, self.log)
            return (self.directory / "valet-api.log").read_text(errors="replace")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


class SilentServer:
    """A TCP listener on 127.0.0.1 that accepts connections and never
    answers: Valet hanging.  ``connections`` counts the attempts."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections, self.held = 0, []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(connection)

    def close(self):
        for connection in self.held:
            connection.close()
        self.socket.close()
