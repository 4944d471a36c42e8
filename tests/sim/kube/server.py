# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP front of the emulator: routing by /clusters/<name>, authentication, impersonation, authorization, faults,
discovery, resource verbs, watch streams and the request log."""

import json
import re
import select
import socket
import ssl
import struct
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import yaml

from sim.kube import api, errors, openapi_v2
from sim.kube import protobuf as pb

NAMESPACE_SUBRESOURCES = ("status", "finalize")
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
CONNECT_SUBRESOURCES = ("exec", "attach", "portforward", "proxy")
AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
WATCH_DEFAULT_TIMEOUT = 1800
BOOKMARK_EVERY = 30


class RequestInfo:
    """What kube-apiserver's RequestInfoFactory derives from a request."""

    def __init__(self, method, path, query):
        self.path = path
        self.is_resource = False
        self.verb = method.lower()
        self.group = self.version = self.resource = self.subresource = self.name = self.namespace = ""
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts or parts[0] not in ("api", "apis"):
            return
        if parts[0] == "api":
            if len(parts) < 3:
                return
            self.version, rest = parts[1], parts[2:]
        else:
            if len(parts) < 4:
                return
            self.group, self.version, rest = parts[1], parts[2], parts[3:]
        self.is_resource = True
        watch_prefix = False
        if rest[0] == "watch":
            watch_prefix = True
            rest = rest[1:]
        if rest and rest[0] == "namespaces" and len(rest) > 1:
            self.namespace = rest[1]
            if len(rest) > 2 and rest[2] not in NAMESPACE_SUBRESOURCES:
                rest = rest[2:]
        if not rest:
            self.is_resource = False
            return
        self.resource = rest[0]
        if len(rest) > 1:
            self.name = rest[1]
        if len(rest) > 2:
            self.subresource = rest[2]
        if len(rest) > 3:
            self.subresource = "/".join(rest[2:])
        method = method.upper()
        if watch_prefix or (query.get("watch") in ("true", "1") and method == "GET"):
            self.verb = "watch"
        elif method in ("GET", "HEAD"):
            self.verb = "get" if self.name else "list"
        elif method == "POST":
            self.verb = "create"
        elif method == "PUT":
            self.verb = "update"
        elif method == "PATCH":
            self.verb = "patch"
        elif method == "DELETE":
            self.verb = "delete" if self.name else "deletecollection"
        if self.subresource in CONNECT_SUBRESOURCES[:3]:
            # websocket upgrades (GET) of exec/attach/portforward need "create" like the SPDY POST
            self.verb = "create"

    def attrs(self):
        if not self.is_resource:
            return {"verb": self.verb, "path": self.path, "nonResource": True}
        return {"verb": self.verb, "apiGroup": self.group, "resource": self.resource,
                "subresource": self.subresource, "name": self.name, "namespace": self.namespace}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, handler, emulator):
        self.emulator = emulator
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        # Clients that drop a connection (a TLS handshake cut short, a keep-alive socket reset) are routine;
        # anything else is still printed.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "kube-emulator"
    sys_version = ""

    def setup(self):
        if hasattr(self.request, "do_handshake"):
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_PATCH(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def do_HEAD(self):
        self._serve()

    # plumbing ------------------------------------------------------------------------------------------------
    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code, body, content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
        elif isinstance(body, str):
            body = body.encode()
        lines = ["HTTP/1.1 %d %s" % (code, self.responses.get(code, ("",))[0]),
                 "Content-Type: " + content_type, "Content-Length: %d" % len(body),
                 "Cache-Control: no-cache, private", "Audit-Id: %s" % getattr(self, "_audit", "")]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        for text in getattr(self, "_warnings", None) or []:
            lines.append('Warning: 299 - "%s"' % text.replace('"', '\\"'))
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._status = code
        self._record()
        self.wfile.write(head + (body if self.command != "HEAD" else b""))

    def _record(self):
        """Log the request once, before its answer leaves (a client may read the log right after)."""
        entry, cluster = getattr(self, "_entry", None), getattr(self, "_cluster", None)
        if entry is not None and cluster is not None and not entry.get("_logged"):
            entry["status"] = self._status
            entry["_logged"] = True
            cluster.log_request(entry)

    def _send_error(self, err):
        self._send_obj(err.code, err.status(), headers=err.headers)

    def _media_types(self):
        """The media types of the Accept header, in the client's order of preference (client-go sends none with q)."""
        return [part.split(";")[0].strip().lower() for part in (self.headers.get("Accept") or "").split(",")
                if part.strip()]

    def _send_obj(self, code, obj, headers=None):
        """An object as protobuf when the client prefers it and a table holds every field, else as JSON when the
        client takes JSON; 406 when it takes nothing the emulator can write."""
        media = [m for m in self._media_types() if m in (pb.PROTOBUF, "application/json", "*/*", "application/*")]
        if media and media[0] == pb.PROTOBUF:
            try:
                self._send(code, pb.encode(obj, strict=True), content_type=pb.PROTOBUF, headers=headers)
                return
            except pb.ProtobufError:
                if len(media) == 1:
                    if code >= 400:   # an error still reaches a protobuf-only client, as JSON
                        self._send(code, obj, headers=headers)
                        return
                    raise errors.ApiError(406, "NotAcceptable", "only the following media types are accepted: "
                                          "application/json, application/yaml") from None
        self._send(code, obj, headers=headers)

    def _respond_obj(self, code, obj, rt=None):
        accept = self.headers.get("Accept", "")
        if "as=Table" in accept and rt is not None and isinstance(obj, dict) and obj.get("kind") != "Status":
            include = self._query.get("includeObject") or "PartialObjectMetadata"
            self._send(code, api.to_table(rt, obj, include))
            return
        self._send_obj(code, obj)

    def _hard_close(self):
        self._status = 0
        self._record()
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass
        self._status = 0

    # request -------------------------------------------------------------------------------------------------
    def _serve(self):
        emulator = self.server.emulator
        parsed = urlsplit(self.path)
        self._query = dict(parse_qsl(parsed.query, keep_blank_values=True))
        self._status = 0
        self._audit = ""
        self._warnings = []
        m = re.match(r"^/clusters/([^/]+)(/.*)?$", parsed.path)
        cluster = emulator.clusters.get(m.group(1)) if m else None
        body = self._read_body()
        if cluster is None:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "no virtual cluster at %s" % parsed.path, "reason": "NotFound", "code": 404})
            return
        path = m.group(2) or "/"
        info = RequestInfo(self.command, path, self._query)
        entry = {"method": self.command, "path": path, "query": parsed.query, "verb": info.verb,
                 "apiGroup": info.group, "resource": info.resource, "subresource": info.subresource,
                 "namespace": info.namespace, "name": info.name, "user": None, "groups": [],
                 "impersonated_user": None, "impersonated_groups": [],
                 "dry_run": "All" in (self._query.get("dryRun") or "").split(","),
                 "status": 0, "mutating": self.command in ("POST", "PUT", "PATCH", "DELETE"),
                 "review": info.group in ("authorization.k8s.io", "authentication.k8s.io"),
                 "user_agent": self.headers.get("User-Agent", ""),
                 "content_type": self.headers.get("Content-Type", "") if body else "", "time": time.time()}
        self._entry, self._cluster = entry, cluster
        try:
            fault = cluster.take_fault(path)
            if fault:
                entry["fault"] = "status %s" % fault["code"] if fault["kind"] == "status" else fault["kind"]
            if fault and fault["kind"] == "unreachable":
                self._hard_close()
                return
            if fault and fault["kind"] == "slow":
                time.sleep(float(fault.get("seconds", 1)))
            if fault and fault["kind"] == "status":
                code = int(fault["code"])
                headers = {}
                reason = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}.get(code, "Unknown")
                if code == 429 or fault.get("retry_after") is not None:
                    headers["Retry-After"] = str(fault.get("retry_after", 1))
                message = {429: "Too many requests, please try again later.",
                           503: "the server is currently unable to handle the request",
                           500: "Internal error occurred: injected fault"}.get(code, "injected fault")
                raise errors.ApiError(code, reason, message, headers=headers)
            self._handle(cluster, info, body, entry)
        except errors.ApiError as err:
            self._send_error(err)
        except OSError:
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            traceback.print_exc()
            self._send_error(errors.ApiError(500, "InternalError", "Internal error occurred: %s" % exc))
        finally:
            self._record()

    def _authenticate(self, cluster, path, entry):
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        ident = cluster.identity(token) if token else None
        if ident is None:
            if not token and path in PUBLIC_PATHS:
                return "system:anonymous", ["system:unauthenticated"]
            raise errors.ApiError(401, "Unauthorized", "Unauthorized")
        user, groups = ident
        groups = list(groups) + ["system:authenticated"]
        entry["user"], entry["groups"] = user, groups
        imp_user = self.headers.get("Impersonate-User")
        imp_groups = self.headers.get_all("Impersonate-Group") or []
        imp_uid = self.headers.get("Impersonate-Uid")
        if not imp_user and (imp_groups or imp_uid):
            raise errors.bad_request("requested %s without impersonating a user" % (imp_groups or imp_uid))
        if not imp_user:
            return user, groups
        checks = []
        sa = re.match(r"^system:serviceaccount:([^:]+):([^:]+)$", imp_user)
        if sa:
            checks.append({"verb": "impersonate", "apiGroup": "", "resource": "serviceaccounts", "subresource": "",
                           "name": sa.group(2), "namespace": sa.group(1)})
        else:
            checks.append({"verb": "impersonate", "apiGroup": "", "resource": "users", "subresource": "",
                           "name": imp_user, "namespace": ""})
        for g in imp_groups:
            checks.append({"verb": "impersonate", "apiGroup": "", "resource": "groups", "subresource": "",
                           "name": g, "namespace": ""})
        if imp_uid:
            checks.append({"verb": "impersonate", "apiGroup": "authentication.k8s.io", "resource": "uids",
                           "subresource": "", "name": imp_uid, "namespace": ""})
        for attrs in checks:
            allowed = cluster.authorizer.authorize(user, groups, attrs)[0]
            if not allowed:
                raise errors.forbidden(user, attrs)
        new_groups = list(imp_groups)
        if sa:
            new_groups += ["system:serviceaccounts", "system:serviceaccounts:" + sa.group(1)]
        if imp_user != "system:anonymous" and "system:authenticated" not in new_groups:
            new_groups.append("system:authenticated")
        entry["impersonated_user"], entry["impersonated_groups"] = imp_user, list(imp_groups)
        return imp_user, new_groups

    def _handle(self, cluster, info, body, entry):
        user, groups = self._authenticate(cluster, info.path, entry)
        attrs = info.attrs()
        allowed = cluster.authorizer.authorize(user, groups, attrs)[0]
        if not allowed:
            raise errors.forbidden(user, attrs)
        if not info.is_resource:
            self._non_resource(cluster, info)
            return
        rt = cluster.registry.lookup(info.group, info.version, info.resource)
        if rt is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        ctx = api.Ctx(cluster, user, groups, self._query, self.headers.get("User-Agent", ""))
        self._warnings = ctx.warnings
        if info.subresource:
            self._subresource(ctx, rt, info, body)
            return
        verb = info.verb
        if verb not in (rt.verbs or ()) and not (verb == "watch" and "watch" in rt.verbs):
            raise errors.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                                  {"kind": rt.plural, "group": rt.group} if rt.group else {"kind": rt.plural})
        if rt.namespaced and not info.namespace and verb not in ("list", "watch") or (
                not rt.namespaced and info.namespace and rt.plural != "namespaces"):
            if not (rt.plural == "namespaces" and info.group == ""):
                raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        namespace = info.namespace if rt.namespaced else ""
        if (rt.group, rt.plural) in api.REVIEWS:
            obj = self._decode_body(body)
            self._respond_obj(201, api.review(ctx, rt, namespace, obj), rt)
            return
        if verb == "get":
            self._respond_obj(200, api.get_existing(cluster, rt, namespace, info.name), rt)
        elif verb == "list":
            self._respond_obj(200, api.do_list(ctx, rt, namespace), rt)
        elif verb == "watch":
            self._watch(ctx, rt, namespace, info.name)
        elif verb == "create":
            obj = self._decode_body(body)
            self._respond_obj(201, api.create(ctx, rt, namespace, obj), rt)
        elif verb == "update":
            obj = self._decode_body(body)
            self._respond_obj(200, api.update(ctx, rt, namespace, info.name, obj), rt)
        elif verb == "patch":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            was = cluster.store.get(api.rkey(rt), namespace, info.name)
            out = api.do_patch(ctx, rt, namespace, info.name, ctype, body)
            self._respond_obj(201 if was is None and ctype == api.APPLY else 200, out, rt)
        elif verb == "delete":
            code, out = api.delete(ctx, rt, namespace, info.name, self._delete_options(body))
            self._respond_obj(code, out, rt)
        elif verb == "deletecollection":
            self._delete_collection(ctx, rt, namespace, body)

    def _decode_body(self, body):
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        try:
            if ctype == pb.PROTOBUF:
                return pb.decode(body)
            if ctype in ("application/yaml", "application/apply-patch+yaml"):
                obj = yaml.safe_load(body.decode("utf-8"))
            elif ctype in ("application/json", "", "*/*"):
                obj = json.loads(body.decode("utf-8") or "null")
            else:
                raise errors.ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                      "accepted media types include: application/json, application/yaml, "
                                      "application/vnd.kubernetes.protobuf")
        except pb.ProtobufError as exc:
            if exc.unsupported:
                raise errors.ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                      "accepted media types include: application/json, application/yaml") from exc
            raise errors.bad_request("unable to decode protobuf body: %s" % exc) from exc
        except (ValueError, yaml.YAMLError) as exc:
            raise errors.bad_request("couldn't get version/kind; json parse error: %s" % exc) from exc
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was not an object")
        return obj

    def _delete_options(self, body):
        opts = {}
        if body.strip():
            opts = self._decode_body(body)
        for key in ("propagationPolicy",):
            if self._query.get(key):
                opts[key] = self._query[key]
        if self._query.get("orphanDependents") in ("true", "false"):
            opts["orphanDependents"] = self._query["orphanDependents"] == "true"
        if "dryRun" in opts and "All" in (opts.get("dryRun") or []):
            self._query["dryRun"] = "All"
        return opts

    def _delete_collection(self, ctx, rt, namespace, body):
        opts = self._delete_options(body)
        listed = api.do_list(api.Ctx(ctx.cluster, ctx.user, ctx.groups,
                                     {k: v for k, v in self._query.items() if k in ("labelSelector", "fieldSelector")}),
                             rt, namespace)
        deleted = []
        for obj in listed["items"]:
            try:
                out = api.delete(ctx, rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], opts)[1]
                deleted.append(obj if out.get("kind") == "Status" else out)
            except errors.ApiError as err:
                if err.code != 404:
                    raise
        self._respond_obj(200, {"kind": rt.list_kind, "apiVersion": rt.group_version,
                                "metadata": {"resourceVersion": str(ctx.cluster.store.current_rv())}, "items": deleted}, rt)

    # non-resource --------------------------------------------------------------------------------------------
    def _non_resource(self, cluster, info):
        reg = cluster.registry
        path = info.path.rstrip("/") or "/"
        accept = self.headers.get("Accept", "")
        if path in ("/healthz", "/livez", "/readyz"):
            self._send(200, "ok", content_type="text/plain; charset=utf-8")
            return
        if path == "/version":
            self._send(200, reg.version_info())
            return
        if path in ("/api", "/apis") and "as=APIGroupDiscoveryList" in accept and "v=v2" in accept:
            self._send(200, reg.aggregated_discovery(path == "/api"), content_type=AGG_CT,
                       headers={"Vary": "Accept"})
            return
        if path == "/api":
            self._send(200, reg.api_versions())
            return
        if path == "/apis":
            self._send(200, reg.api_group_list())
            return
        if path == "/openapi/v2":
            self._openapi_v2(reg)
            return
        if path == "/openapi/v3":
            self._send(200, reg.openapi_v3_index())
            return
        if path.startswith("/openapi/v3/"):
            doc = reg.openapi_v3(path[len("/openapi/v3/"):])
            if doc is not None:
                self._send(200, doc)
                return
        parts = path.strip("/").split("/")
        doc = None
        if parts[0] == "api" and len(parts) == 2:
            doc = reg.api_resource_list("", parts[1])
        elif parts[0] == "apis" and len(parts) == 2:
            doc = reg.api_group(parts[1])
        elif parts[0] == "apis" and len(parts) == 3:
            doc = reg.api_resource_list(parts[1], parts[2])
        if doc is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        self._send(200, doc)

    def _openapi_v2(self, reg):
        """JSON, or gnostic protobuf when asked for (client-go asks for nothing else); ETag and 304 like
        kube-apiserver's handler."""
        raw_json, raw_pb, etag = reg.openapi_v2()
        headers = {"ETag": etag, "Vary": "Accept"}
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", headers=headers)
            return
        media = self._media_types() or ["application/json"]
        for m in media:
            if m in (openapi_v2.PROTOBUF_V2, openapi_v2.PROTOBUF_V2_ACCEPT):
                self._send(200, raw_pb, content_type=openapi_v2.PROTOBUF_V2, headers=headers)
                return
            if m in ("application/json", "*/*", "application/*"):
                self._send(200, raw_json, headers=headers)
                return
        raise errors.ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                              "%s" % openapi_v2.PROTOBUF_V2_ACCEPT)

    # subresources --------------------------------------------------------------------------------------------
    def _subresource(self, ctx, rt, info, body):
        cluster = ctx.cluster
        sub = info.subresource
        if sub not in (rt.subresources or ()) and not (rt.plural == "namespaces" and sub == "finalize"):
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        namespace = info.namespace if rt.namespaced else ""
        obj = api.get_existing(cluster, rt, namespace, info.name)
        method = self.command
        if sub in CONNECT_SUBRESOURCES:
            raise errors.ApiError(400, "BadRequest", "%s/%s is not supported by the Kubernetes API emulator (no kubelet): "
                                  "upgrade request refused" % (rt.plural, sub))
        if sub == "log":
            self._send(200, api.pod_log(obj, self._query), content_type="text/plain")
            return
        if sub == "eviction":
            if method != "POST":
                raise errors.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            self._decode_body(body)
            api.delete(ctx, rt, namespace, info.name, {})
            self._send_obj(201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
            return
        if sub == "scale":
            self._scale(ctx, rt, namespace, info, obj, body)
            return
        if sub == "token":
            if method != "POST":
                raise errors.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            self._respond_obj(201, api.token_request(ctx, namespace, info.name, self._decode_body(body)))
            return
        if sub in ("status", "finalize") + tuple(api.SUBRESOURCE_PARTS):
            if method == "GET":
                self._respond_obj(200, obj, rt)
            elif method == "PUT":
                self._respond_obj(200, api.update(ctx, rt, namespace, info.name, self._decode_body(body),
                                                  "" if sub == "finalize" else sub), rt)
            elif method == "PATCH":
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                self._respond_obj(200, api.do_patch(ctx, rt, namespace, info.name, ctype, body, sub), rt)
            else:
                raise errors.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return
        raise errors.ApiError(405, "MethodNotAllowed", "the emulator does not serve %s/%s" % (rt.plural, sub))

    def _scale(self, ctx, rt, namespace, info, obj, body):
        from sim.kube import patch as patchlib  # pylint: disable=import-outside-toplevel
        scale = api.scale_of(rt, obj)
        if self.command == "GET":
            self._send_obj(200, scale)
            return
        if self.command == "PUT":
            new_scale = self._decode_body(body)
        elif self.command == "PATCH":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            raw = json.loads(body.decode() or "null")
            if ctype == api.JSONPATCH:
                new_scale = patchlib.json_patch(scale, raw)
            else:
                new_scale = patchlib.json_merge_patch(scale, raw)
        else:
            raise errors.ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        replicas = (new_scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise errors.invalid(rt, info.name, [("spec.replicas", 'Invalid value: %s: must be greater than or equal to 0'
                                                  % json.dumps(replicas))])
        import copy  # pylint: disable=import-outside-toplevel
        new = copy.deepcopy(obj)
        new["spec"]["replicas"] = replicas
        with ctx.cluster.store.lock:
            out = api.replace(ctx, rt, namespace, info.name, new, obj, check_rv=False)
        self._send_obj(200, api.scale_of(rt, out))

    # watch ---------------------------------------------------------------------------------------------------
    def _watch(self, ctx, rt, namespace, name):
        store = ctx.cluster.store
        query = self._query
        labels, fields = api.selectors(rt, query)
        if name:
            fields = fields + [("metadata.name", "=", name)]
        send_initial = query.get("sendInitialEvents")
        bookmarks = query.get("allowWatchBookmarks") == "true"
        if send_initial == "true" and (query.get("resourceVersionMatch") != "NotOlderThan" or not bookmarks):
            raise errors.ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: [sendInitialEvents: Forbidden: '
                                  'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and '
                                  'allowWatchBookmarks to true]')
        try:
            timeout = float(query.get("timeoutSeconds") or WATCH_DEFAULT_TIMEOUT)
        except ValueError as exc:
            raise errors.bad_request("invalid timeoutSeconds") from exc
        rv_param = query.get("resourceVersion") or ""
        key = api.rkey(rt)

        def visible(obj):
            return obj is not None and (not namespace or obj["metadata"].get("namespace") == namespace) and \
                api.matches(obj, labels, fields)

        with store.lock:
            current = store.current_rv()
            initial = []
            if send_initial == "true" or (send_initial is None and rv_param in ("", "0")):
                initial = [o for o in store.items(key, namespace or None) if visible(o)]
                last = current
            else:
                try:
                    last = int(rv_param) if rv_param not in ("", "0") else current
                except ValueError as exc:
                    raise errors.bad_request("invalid resource version: %s" % rv_param) from exc
                if store.events_since(last) is None:
                    gone = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                        "status": "Failure", "reason": "Expired", "code": 410,
                                                        "message": "too old resource version: %d (%d)" % (last, current)}}
                    initial = None
        self.close_connection = False
        head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                "Cache-Control: no-cache, private\r\n\r\n").encode()
        self._status = 200
        self._record()
        self.wfile.write(head)

        def emit(event):
            data = json.dumps(event, separators=(",", ":")).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        try:
            if initial is None:
                emit(gone)
                return
            for obj in initial:
                emit({"type": "ADDED", "object": obj})
            if send_initial == "true":
                emit(api.bookmark(rt, current, initial_end=True))
            deadline = time.monotonic() + timeout
            next_bookmark = time.monotonic() + BOOKMARK_EVERY
            while True:
                with store.lock:
                    events = store.events_since(last)
                    if events == [] and not store.closed:
                        store.cond.wait(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
                        events = store.events_since(last)
                    closed = store.closed or self.server.emulator.stopping
                if closed or events is None:
                    return
                for rv, etype, ekey, obj, prev in events:
                    last = rv
                    if ekey != key:
                        continue
                    now_vis, was_vis = visible(obj), visible(prev)
                    if etype == "DELETED":
                        if was_vis:
                            emit({"type": "DELETED", "object": obj})
                    elif now_vis and not was_vis:
                        emit({"type": "ADDED", "object": obj})
                    elif now_vis:
                        emit({"type": "MODIFIED", "object": obj})
                    elif was_vis:
                        emit({"type": "DELETED", "object": obj})
                now = time.monotonic()
                if now >= deadline:
                    return
                if bookmarks and now >= next_bookmark:
                    emit(api.bookmark(rt, last))
                    next_bookmark = now + BOOKMARK_EVERY
                if self._client_gone():
                    self.close_connection = True
                    return
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
            return
        finally:
            if not self.close_connection:
                try:
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    self.close_connection = True

    def _client_gone(self):
        try:
            # a watching HTTP/1.1 client sends nothing more on this connection: readable means closed
            readable = select.select([self.connection], [], [], 0)[0]
            return bool(readable)
        except (OSError, ValueError):
            return True
        return False


def make_server(emulator, host, port):
    return _Server((host, port), Handler, emulator)
