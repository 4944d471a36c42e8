# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS for the simulators: one self-signed CA and a server certificate for 127.0.0.1 / localhost per process.

    cert, key, ca_pem = server_certificate("127.0.0.1")
    ca_path("127.0.0.1")                      # the CA as a PEM file (for SSL_CERT_FILE or a kubeconfig)
    server = wrap_server(server, "127.0.0.1")  # an HTTP server that speaks TLS with that certificate

The Kubernetes emulator (client-go sends no bearer token over plain HTTP) and the Crusoe simulator's token endpoint
(the OAuth2 client secret only travels over https) serve with it.
"""

import os
import ssl
import subprocess
import tempfile
import threading

_CERTS = {}
_CERTS_LOCK = threading.Lock()


def server_certificate(host):
    """(cert path, key path, CA PEM) for host, made once per process with openssl (a self-signed CA + server cert)."""
    with _CERTS_LOCK:
        if host in _CERTS:
            return _CERTS[host]
        tmp = tempfile.mkdtemp(prefix="sim-tls-")

        def run(*args):
            subprocess.run(["openssl"] + list(args), cwd=tmp, check=True, capture_output=True)
        run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
        run("req", "-x509", "-new", "-key", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=neocloud-sim-ca")
        run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key")
        run("req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver")
        with open(os.path.join(tmp, "ext.cnf"), "w", encoding="utf-8") as handle:
            handle.write("subjectAltName=IP:127.0.0.1,DNS:localhost%s\nbasicConstraints=CA:FALSE\n"
                         "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                         % ("" if host in ("127.0.0.1", "localhost") else (",IP:" + host)))
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "3650", "-extfile", "ext.cnf")
        with open(os.path.join(tmp, "ca.crt"), encoding="utf-8") as handle:
            ca_pem = handle.read()
        _CERTS[host] = (os.path.join(tmp, "server.crt"), os.path.join(tmp, "server.key"), ca_pem)
        return _CERTS[host]


def ca_path(host):
    """Path of the PEM file of the CA that signed host's server certificate."""
    cert = server_certificate(host)[0]
    return os.path.join(os.path.dirname(cert), "ca.crt")


def wrap_server(server, host):
    """The listening socket of a socketserver wrapped in TLS (the handshake happens in the handler's thread)."""
    cert, key, dummy = server_certificate(host)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server
