# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workloads that are ways onto a node: pod controllers whose pod template gives node access, and running ephemeral
(debug) containers in any pod.

A controller (DaemonSet, Deployment, StatefulSet, ReplicaSet, Job, CronJob) recreates the pods a sweep deletes, so
the controller is the door, not its pods. Node access: privileged containers, the host's PID/network/IPC namespaces,
hostPath ``/`` or the container runtime's socket, or a command that enters the host (nsenter, chroot).

Verdicts, from what can be positively identified:

- ``confirmed``: support's - support tooling (a tool's name AND its label or manager, as node-shell and
  ``kubectl debug`` helpers carry them) with node access and no known origin, or on the deny list. Revoke deletes
  these, the controller first.
- ``suspicious``: node access with no known origin (no Helm release, no operator owner, no addon manager) in one of
  the provider's managed namespaces. Blocks REVOKED until a person deletes it (deny list) or allows it by name.
- ``kept``: node access or a tool's name with a known origin, or outside the managed namespaces: the customer's (GPU
  and network operators, CNI and CSI agents, the customer's own tools). Listed as kept, never touched.

Pure functions over objects as plain dicts. This is a private module_utils file of neocloud.support_access; its
interface may change at any time.
"""

from __future__ import annotations

from ansible_collections.neocloud.support_access.plugins.module_utils._pods import (
    STRONG_HOST_SIGNALS,
    VERDICT_CONFIRMED,
    VERDICT_SUSPICIOUS,
    pattern_match,
    pod_signals,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._support import CRUSOE_MANAGED_NAMESPACES

VERDICT_KEPT = "kept"
# (apiGroup, version, kind, plural) of the pod controllers, in the order they are listed and deleted.
CONTROLLERS = (
    ("apps", "v1", "DaemonSet", "daemonsets"),
    ("apps", "v1", "Deployment", "deployments"),
    ("apps", "v1", "StatefulSet", "statefulsets"),
    ("apps", "v1", "ReplicaSet", "replicasets"),
    ("batch", "v1", "CronJob", "cronjobs"),
    ("batch", "v1", "Job", "jobs"),
)
# A controller owned by one of these is not a door of its own: its owner is (Deployment -> ReplicaSet, CronJob -> Job).
_OWNED_THROUGH = {"ReplicaSet": "Deployment", "Job": "CronJob"}
# Support tooling that may run as a controller: the diagnostic pod names plus the provider's own tool names.
WORKLOAD_NAME_PREFIXES = ("node-shell", "node-debugger", "nsenter", "crusoe-support", "support-debug")
HELM_RELEASE_ANNOTATION = "meta.helm.sh/release-name"
ADDON_MANAGER_LABEL = "addonmanager.kubernetes.io/mode"


def pod_template(obj, kind):
    """The pod template ({metadata, spec}) of a controller object."""
    spec = obj.get("spec") or {}
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return spec.get("template") or {}


def origin(obj, kind=None):
    """What positively identifies a controller as installed software, in words, or None: a Helm release, an owner
    that is not a pod controller (an operator's custom resource), the addon manager, or a managed-by label (on the
    controller or its pod template)."""
    meta = obj.get("metadata") or {}
    template_meta = pod_template(obj, kind).get("metadata") or {} if kind else {}
    annotations = dict(template_meta.get("annotations") or {}, **(meta.get("annotations") or {}))
    labels = dict(template_meta.get("labels") or {}, **(meta.get("labels") or {}))
    if annotations.get(HELM_RELEASE_ANNOTATION):
        return "Helm release %s" % annotations[HELM_RELEASE_ANNOTATION]
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") not in [c[2] for c in CONTROLLERS]:
            return "owned by %s/%s" % (ref.get("kind"), ref.get("name"))
    if labels.get(ADDON_MANAGER_LABEL):
        return "addon manager (%s)" % labels[ADDON_MANAGER_LABEL]
    managed_by = labels.get("app.kubernetes.io/managed-by")
    if managed_by and managed_by != "kubectl-debug":
        return "managed by %s" % managed_by
    return None


def owned_through(obj, kind):
    """Whether the controller is run by its own controller (a Deployment's ReplicaSet, a CronJob's Job)."""
    owner = _OWNED_THROUGH.get(kind)
    return bool(owner) and any(ref.get("kind") == owner and ref.get("controller")
                               for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


def workload_signals(obj, kind):
    """pod_signals of the controller's pod template, with the controller's own name, labels and managers as markers."""
    meta = obj.get("metadata") or {}
    template = pod_template(obj, kind)
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    labels.update(meta.get("labels") or {})
    synthetic = {"metadata": {"name": meta.get("name") or "", "labels": labels,
                              "annotations": dict(template_meta.get("annotations") or {}),
                              "managedFields": meta.get("managedFields") or [],
                              # owned by this controller: never a bare pod
                              "ownerReferences": [{"kind": kind, "name": meta.get("name"), "controller": True}]},
                 "spec": template.get("spec") or {}}
    signals = set(pod_signals(synthetic, name_prefixes=WORKLOAD_NAME_PREFIXES))
    signals.discard("ephemeral_debug_container")
    return sorted(signals)


def workload_verdict(signals, namespace, known_origin, allow_listed=False, deny_listed=False,
                     managed_namespaces=CRUSOE_MANAGED_NAMESPACES):
    """``confirmed``, ``suspicious``, ``kept`` or None (no node access, no marker) for one controller.

    Confirmed: on the deny list, or support tooling - a tool's name AND its label or manager - with node access and no
    known origin. A controller with a known origin (a Helm release, an operator's custom resource) is the customer's
    whatever it is called; one with node access (or a tool's name or label and some host access) and no known origin
    is suspicious in the provider's managed namespaces and the customer's elsewhere."""
    if allow_listed:
        return None
    if deny_listed:
        return VERDICT_CONFIRMED
    signals = set(signals)
    named = "diagnostic_name" in signals
    labelled = bool(signals.intersection(("diagnostic_label", "diagnostic_manager", "diagnostic_annotation")))
    strong = bool(signals.intersection(STRONG_HOST_SIGNALS))
    host = strong or bool(signals.intersection(("host_network", "host_ipc", "host_path")))
    if known_origin is not None:
        return VERDICT_KEPT if host or named or labelled else None
    if named and labelled and host:
        return VERDICT_CONFIRMED
    if strong or ((named or labelled) and host):
        return VERDICT_SUSPICIOUS if namespace in managed_namespaces else VERDICT_KEPT
    return VERDICT_KEPT if named or labelled else None


def classify_workload(obj, kind, allow=(), deny=(), managed_namespaces=CRUSOE_MANAGED_NAMESPACES, created_by=None):
    """One controller's entry: kind, namespace, name, uid, signals, origin, verdict, allow_listed, deny_listed (and
    created_by); None for a controller run by another one (its owner is classified instead). ``created_by``: the
    support identity the audit logs show creating it - support's, confirmed, unless allow-listed."""
    if owned_through(obj, kind):
        return None
    meta = obj.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    ref = "%s/%s" % (kind, name)
    allowed = pattern_match(namespace, ref, allow) or pattern_match(namespace, name, allow)
    denied = None if allowed else (pattern_match(namespace, ref, deny) or pattern_match(namespace, name, deny))
    signals = workload_signals(obj, kind)
    known = origin(obj, kind)
    verdict = workload_verdict(signals, namespace, known, bool(allowed), bool(denied or created_by), managed_namespaces)
    entry = {"kind": kind, "namespace": namespace, "name": name, "uid": meta.get("uid"), "signals": signals,
             "origin": known, "allow_listed": allowed, "deny_listed": denied, "verdict": verdict}
    if created_by:
        entry["signals"] = sorted(set(signals) | {"created_by_support"})
        entry["created_by"] = created_by
    return entry


def support_created(created):
    """{(plural, namespace, name): user} from the activity section's ``created`` list (workloads support created)."""
    return dict(((str(c.get("resource")), c.get("namespace") or "", str(c.get("name"))), str(c.get("user") or "support"))
                for c in created or [] if isinstance(c, dict))


def created_by(created, plural, obj):
    """The support identity that created ``obj`` (a ``plural``) per ``created`` (support_created()), or None."""
    meta = obj.get("metadata") or {}
    return created.get((plural, meta.get("namespace") or "", meta.get("name")))


def mark_created_pod(entry, user):
    """A classified pod (_pods.classify_pod) that a support identity created: support's, confirmed, unless allow-listed."""
    if entry.get("allow_listed"):
        return entry
    entry = dict(entry, verdict=VERDICT_CONFIRMED, created_by=user)
    entry["signals"] = sorted(set(entry.get("signals") or []) | {"created_by_support"})
    return entry


def debug_containers(pod):
    """The ephemeral (debug) containers of a pod that may still run: [{name, image, command, target, privileged}].

    One that the pod's status shows terminated is left out; one without a status counts as running (nothing says
    it stopped)."""
    spec = pod.get("spec") or {}
    states = dict((s.get("name"), s.get("state") or {})
                  for s in (pod.get("status") or {}).get("ephemeralContainerStatuses") or [])
    found = []
    for container in spec.get("ephemeralContainers") or []:
        state = states.get(container.get("name"))
        if state is not None and "terminated" in state and "running" not in state:
            continue
        found.append({"name": container.get("name"), "image": container.get("image"),
                      "command": [str(w) for w in (container.get("command") or []) + (container.get("args") or [])],
                      "target": container.get("targetContainerName"),
                      "privileged": bool((container.get("securityContext") or {}).get("privileged"))})
    return found


def debugged_pod(pod):
    """A pod with running debug containers as a report entry (namespace, name, node, containers, close_command), or
    None. Only deleting the pod removes them (Kubernetes never removes an ephemeral container)."""
    containers = debug_containers(pod)
    if not containers:
        return None
    meta = pod.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    return {"namespace": namespace, "name": name, "uid": meta.get("uid"), "node": (pod.get("spec") or {}).get("nodeName"),
            "containers": containers, "close_command": "kubectl delete pod -n %s %s" % (namespace, name)}
