# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public test API of the Kubernetes API emulator: one process, many virtual clusters.

    emu = Emulator(); emu.start()
    c = emu.add_cluster("training-prod", version="v1.33.4")
    emu.write_kubeconfig(path)          # one context per cluster, context name = cluster name
    c.seed([...]); c.get(...); c.list(...); c.request_log(); c.writes(); c.set_fault("status", code=503, count=2)
    emu.stop()
"""

import base64
import copy
import threading

import yaml

from sim.kube.cluster import Cluster
from sim.kube.server import make_server
from sim.tls import server_certificate, wrap_server

# token -> (user, groups); the same identities are known to every cluster
DEFAULT_IDENTITIES = {
    "admin-token": ("admin", ("system:masters",)),
    "crusoe-support-readonly-token": ("crusoe-support-readonly", ("crusoe:support:readonly",)),
    "crusoe-support-operator-token": ("crusoe-support-operator", ("crusoe:support:operator",)),
    "cw-teleport-token": ("cw-teleport", ("cw:teleport",)),
    "nobody-token": ("nobody", ()),
}


class Emulator:
    """Serves every virtual cluster under http://HOST:PORT/clusters/<name>."""

    def __init__(self, host="127.0.0.1", port=0, tls=True):
        # kubectl and helm (client-go) do not send bearer tokens over plain HTTP: TLS is the default.
        self.tls = tls
        self.ca_pem = None
        self.host = host
        self.port = port
        self.clusters = {}
        self.identities = {t: (u, tuple(g)) for t, (u, g) in DEFAULT_IDENTITIES.items()}
        self.stopping = False
        self.kubeconfig_path = None   # when set, rewritten with every cluster added or removed
        self._server = None
        self._thread = None
        self._lock = threading.Lock()

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def start(self):
        self._server = make_server(self, self.host, self.port)
        if self.tls:
            self.ca_pem = server_certificate(self.host)[2]
            wrap_server(self._server, self.host)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="kube-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.stopping = True
        for cluster in list(self.clusters.values()):
            cluster.store.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def add_cluster(self, name, version="v1.33.4", nodes=1):
        """A new virtual cluster with the default namespaces, nodes and RBAC bootstrap policy."""
        with self._lock:
            if name in self.clusters:
                raise ValueError("cluster %r exists" % name)
            cluster = Cluster(self, name, version=version, nodes=nodes)
            self.clusters[name] = cluster
        if self.kubeconfig_path:
            self.write_kubeconfig(self.kubeconfig_path)
        return cluster

    def remove_cluster(self, name):
        with self._lock:
            cluster = self.clusters.pop(name, None)
        if cluster is not None:
            cluster.store.close()
        if self.kubeconfig_path and self.clusters:
            self.write_kubeconfig(self.kubeconfig_path)

    def cluster(self, name):
        return self.clusters[name]

    def add_identity(self, token, user, groups=()):
        """A bearer token for user (system:authenticated is added by the server)."""
        self.identities[token] = (user, tuple(groups))

    def token_for(self, user):
        for token, (u, _groups) in self.identities.items():
            if u == user:
                return token
        raise KeyError("no identity for user %r" % user)

    def kubeconfig(self, clusters=None, user="admin"):
        """The kubeconfig dict: one context per cluster (named after it) for `user`; every identity is a user entry."""
        names = list(clusters or self.clusters)
        users, seen = [], set()
        for token, (u, _groups) in self.identities.items():
            if u not in seen:
                seen.add(u)
                users.append({"name": u, "user": {"token": token}})
        cfg = {"apiVersion": "v1", "kind": "Config", "preferences": {},
               "clusters": [{"name": n, "cluster": self._cluster_entry(n)} for n in names],
               "users": users,
               "contexts": [{"name": n, "context": {"cluster": n, "user": user}} for n in names],
               "current-context": names[0] if names else ""}
        return copy.deepcopy(cfg)

    def _cluster_entry(self, name):
        entry = {"server": self.clusters[name].server_url}
        if self.ca_pem:
            entry["certificate-authority-data"] = base64.b64encode(self.ca_pem.encode()).decode()
        return entry

    def ca_file(self, path):
        """Write the CA certificate (PEM) that signed the server certificate; returns path."""
        with open(str(path), "w", encoding="utf-8") as handle:
            handle.write(self.ca_pem or "")
        return path

    def write_kubeconfig(self, path, clusters=None, user="admin"):
        with open(str(path), "w", encoding="utf-8") as handle:
            yaml.safe_dump(self.kubeconfig(clusters, user), handle, default_flow_style=False)
        return path
