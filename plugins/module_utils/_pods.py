# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Diagnostic pods: node-shell, `kubectl debug node`, nsenter helpers left behind by a support session.

Signals, verdicts and the scan's summary: pure functions over pods as plain dicts (as the API returns them).

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import fnmatch
import re

from ansible_collections.neocloud.support_access.plugins.module_utils._support import CRUSOE_MANAGED_NAMESPACES

DIAGNOSTIC_NAME_PREFIXES = ("node-shell-", "node-debugger-", "nsenter-")
DIAGNOSTIC_MANAGERS = ("kubectl-debug", "node-shell", "kubectl-node_shell", "kubectl-node-shell", "nsenter")
# `kubectl debug node/...` labels the pod it creates (its managedFields manager is just "kubectl").
DIAGNOSTIC_LABELS = {"app.kubernetes.io/managed-by": "kubectl-debug"}
VERDICT_CONFIRMED = "confirmed"
VERDICT_SUSPICIOUS = "suspicious"
# hostPath mounts of a container runtime's socket (or its directory): a way to start any container on the node
RUNTIME_SOCKET_PATHS = ("/run/containerd", "/var/run/containerd", "/run/containerd/containerd.sock",
                        "/var/run/containerd/containerd.sock", "/var/run/docker.sock", "/run/docker.sock",
                        "/var/run/crio", "/run/crio", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
                        "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/var/run", "/run")
_HOST_COMMAND = re.compile(r"(^|[\s/;&|'\"])(nsenter|chroot)(\s|$)")


def _containers(spec, ephemeral=True):
    kinds = ("initContainers", "containers", "ephemeralContainers") if ephemeral else ("initContainers", "containers")
    for kind in kinds:
        yield from spec.get(kind) or []


def controller_owner(pod):
    """The ownerReference with controller: true ({kind, name, uid}) or None for a bare pod."""
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return {"kind": ref.get("kind"), "name": ref.get("name"), "uid": ref.get("uid")}
    return None


def normalize_patterns(patterns, option):
    """Validate namespace/name glob patterns; a bare pattern means any namespace. Raises ValueError."""
    result = []
    for pattern in patterns or []:
        if not isinstance(pattern, str) or not pattern.strip():
            raise ValueError("%s entries must be non-empty 'namespace/name' glob patterns, got %r" % (option, pattern))
        pattern = pattern.strip()
        if pattern.count("/") > 1:
            raise ValueError("%s entry %r must look like 'namespace/name' (globs allowed)" % (option, pattern))
        result.append(pattern if "/" in pattern else "*/" + pattern)
    return result


def pattern_match(namespace, name, patterns):
    """The first 'namespace/name' glob in ``patterns`` that matches, or None."""
    for pattern in patterns or []:
        ns_pattern, name_pattern = pattern.split("/", 1)
        if fnmatch.fnmatchcase(namespace or "", ns_pattern) and fnmatch.fnmatchcase(name or "", name_pattern):
            return pattern
    return None


def pod_signals(pod, managers=DIAGNOSTIC_MANAGERS, marker_labels=None, marker_annotations=None,
                name_prefixes=DIAGNOSTIC_NAME_PREFIXES):
    """Everything about a pod that hints at a diagnostic or host-level helper, as a sorted list of signal names.

    ``marker_labels`` add to DIAGNOSTIC_LABELS (label -> value, None/""/"*" for any value).

    diagnostic_name, diagnostic_manager, diagnostic_label, diagnostic_annotation (markers); host_pid, host_network,
    host_ipc, privileged, host_root_mount, host_path, host_command (host access); ephemeral_debug_container;
    bare_pod.
    """
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    signals = set()
    name = meta.get("name") or ""
    if any(name.startswith(prefix) for prefix in name_prefixes):
        signals.add("diagnostic_name")
    for entry in meta.get("managedFields") or []:
        # Only a manager that wrote the pod itself counts: `kubectl debug <pod>` writes the ephemeralcontainers
        # subresource of a customer's pod, which does not make that pod a diagnostic one.
        if not entry.get("subresource") and entry.get("manager") in managers:
            signals.add("diagnostic_manager")
    labels = meta.get("labels") or {}
    wanted = dict(DIAGNOSTIC_LABELS)
    wanted.update(marker_labels or {})
    for key, value in wanted.items():
        if key in labels and (value in (None, "", "*") or labels[key] == value):
            signals.add("diagnostic_label")
    annotations = meta.get("annotations") or {}
    for key, value in (marker_annotations or {}).items():
        if key in annotations and (value in (None, "", "*") or annotations[key] == value):
            signals.add("diagnostic_annotation")
    for flag, signal in (("hostPID", "host_pid"), ("hostNetwork", "host_network"), ("hostIPC", "host_ipc")):
        if spec.get(flag):
            signals.add(signal)
    for volume in spec.get("volumes") or []:
        host_path = volume.get("hostPath")
        if host_path is not None:
            signals.add("host_path")
            path = (host_path.get("path") or "").rstrip("/")
            if path == "":
                signals.add("host_root_mount")
            elif path in RUNTIME_SOCKET_PATHS:
                signals.add("runtime_socket")
    for container in _containers(spec):
        if ((container.get("securityContext") or {}).get("privileged")):
            signals.add("privileged")
        words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
        if any(_HOST_COMMAND.search(w) or w.rsplit("/", 1)[-1] in ("nsenter", "chroot") for w in words):
            signals.add("host_command")
    if spec.get("ephemeralContainers"):
        signals.add("ephemeral_debug_container")
    if controller_owner(pod) is None:
        signals.add("bare_pod")
    return sorted(signals)


MARKER_SIGNALS = ("diagnostic_name", "diagnostic_manager", "diagnostic_label", "diagnostic_annotation")
HOST_SIGNALS = ("host_pid", "host_network", "host_ipc", "privileged", "host_root_mount", "runtime_socket", "host_command")
STRONG_HOST_SIGNALS = ("host_pid", "privileged", "host_root_mount", "runtime_socket", "host_command")


def pod_verdict(signals, allow_listed=False, deny_listed=False):
    """``confirmed`` (a diagnostic pod, safe to delete), ``suspicious`` (report only) or None.

    Confirmed needs a bare pod with a diagnostic marker (or on the deny list) AND host-level access, or a bare pod on
    the deny list. A pod with a controller owner is never confirmed, nor is one on the allow list, nor one with an
    ephemeral debug container (deleting it would kill the workload it debugs) unless it is on the deny list.
    """
    if allow_listed:
        return None
    signals = set(signals)
    marker = bool(signals.intersection(MARKER_SIGNALS))
    host = bool(signals.intersection(HOST_SIGNALS))
    strong = bool(signals.intersection(STRONG_HOST_SIGNALS))
    if "bare_pod" not in signals:
        # Controller-owned: GPU operators, CNI and monitoring DaemonSets legitimately run privileged with hostPath /,
        # so only a diagnostic marker, the deny list or a debug container makes them worth a look.
        if marker or deny_listed or "ephemeral_debug_container" in signals:
            return VERDICT_SUSPICIOUS
        return None
    if "ephemeral_debug_container" in signals and not deny_listed:
        return VERDICT_SUSPICIOUS
    if deny_listed or (marker and host):
        return VERDICT_CONFIRMED
    if marker or strong or "ephemeral_debug_container" in signals:
        return VERDICT_SUSPICIOUS
    return None


def classify_pod(pod, allow=(), deny=(), managed_namespaces=CRUSOE_MANAGED_NAMESPACES, managers=DIAGNOSTIC_MANAGERS,
                 marker_labels=None, marker_annotations=None):
    """One pod's report entry: namespace, name, uid, node, owner, phase, signals, verdict, in_managed_namespace,
    terminating, allow_listed/deny_listed (the matching pattern or None). ``allow``/``deny`` are normalised patterns
    (normalize_patterns)."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    signals = pod_signals(pod, managers=managers, marker_labels=marker_labels, marker_annotations=marker_annotations)
    allowed = pattern_match(namespace, name, allow)
    denied = None if allowed else pattern_match(namespace, name, deny)
    if denied:
        signals = sorted(set(signals) | {"deny_listed"})
    if allowed:
        signals = sorted(set(signals) | {"allow_listed"})
    return {
        "namespace": namespace,
        "name": name,
        "uid": meta.get("uid"),
        "node": spec.get("nodeName"),
        "owner": controller_owner(pod),
        "phase": (pod.get("status") or {}).get("phase"),
        "created": meta.get("creationTimestamp"),
        "signals": signals,
        "verdict": pod_verdict(signals, allow_listed=bool(allowed), deny_listed=bool(denied)),
        "in_managed_namespace": namespace in managed_namespaces,
        "terminating": bool(meta.get("deletionTimestamp")),
        "allow_listed": allowed,
        "deny_listed": denied,
    }


def pods_summary(entries, deleted=(), would_delete=()):
    """Counts over classified pods: scanned, confirmed, suspicious, in_managed_namespaces, deleted, would_delete."""
    return {
        "scanned": len(entries),
        "confirmed": sum(1 for e in entries if e["verdict"] == VERDICT_CONFIRMED),
        "suspicious": sum(1 for e in entries if e["verdict"] == VERDICT_SUSPICIOUS),
        "in_managed_namespaces": sum(1 for e in entries if e["verdict"] and e["in_managed_namespace"]),
        "deleted": len(deleted),
        "would_delete": len(would_delete),
    }
