# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field validation of pods, pod templates and workloads, as pkg/apis/{core,apps,batch}/validation does it.

Checked after defaulting; each function returns [(field path, message)] for errors.invalid (422). Covered: the
containers of a pod spec (required, names unique across containers, init and ephemeral containers, images of pods,
volume mounts naming volumes), restartPolicy and dnsPolicy values, what a workload template may hold (restartPolicy
Always for Deployments, DaemonSets, StatefulSets, ReplicaSets and ReplicationControllers; OnFailure or Never for
Jobs), selectors that must match the template labels, counts that may not be negative, a CronJob schedule; pod
updates (only images, activeDeadlineSeconds, added tolerations and removed scheduling gates may change) and the
ephemeralcontainers subresource (containers can be added, never changed or removed, with the allow-list of fields
they may set); CertificateSigningRequests (a PEM request, signer and usages; Approved and Denied exclude each other).
"""

import base64
import binascii
import json
import re

from sim.kube.store import labels_match, selector_from_label_selector

LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
             "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '%s')" % LABEL)
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
CONTAINER_KINDS = ("initContainers", "containers", "ephemeralContainers")
UPDATABLE_POD_SPEC_FIELDS = ("`spec.containers[*].image`", "`spec.initContainers[*].image`",
                             "`spec.activeDeadlineSeconds`", "`spec.tolerations` (only additions to existing tolerations)",
                             "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")
# EphemeralContainerCommon fields an ephemeral container may not set (allowedEphemeralContainerFields)
EPHEMERAL_FORBIDDEN = ("ports", "resources", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
                       "resizePolicy", "restartPolicy", "restartPolicyRules")
TEMPLATE_RESTART = {("apps", "deployments"): ("Always",), ("apps", "daemonsets"): ("Always",),
                    ("apps", "statefulsets"): ("Always",), ("apps", "replicasets"): ("Always",),
                    ("", "replicationcontrollers"): ("Always",), ("batch", "jobs"): ("OnFailure", "Never")}


def _q(value):
    return json.dumps(value)


def _unsupported(value, allowed):
    return "Unsupported value: %s: supported values: %s" % (_q(value), ", ".join(_q(v) for v in allowed))


def _go_map(labels):
    return "map[string]string{%s}" % ", ".join("%s:%s" % (_q(k), _q(v)) for k, v in sorted((labels or {}).items()))


def _containers(spec, path, for_pod):
    out, names = [], set()
    volumes = {v.get("name") for v in spec.get("volumes") or [] if isinstance(v, dict)}
    if not spec.get("containers"):
        out.append(("%s.containers" % path, "Required value"))
    for kind in CONTAINER_KINDS:
        for idx, c in enumerate(spec.get(kind) or []):
            where = "%s.%s[%d]" % (path, kind, idx)
            if not isinstance(c, dict):
                continue
            name = c.get("name") or ""
            if not name:
                out.append((where + ".name", "Required value"))
            elif not re.fullmatch(LABEL, name) or len(name) > 63:
                out.append((where + ".name", "Invalid value: %s: %s" % (_q(name), LABEL_MSG)))
            elif name in names:
                out.append((where + ".name", "Duplicate value: %s" % _q(name)))
            names.add(name)
            if for_pod and not c.get("image"):
                out.append((where + ".image", "Required value"))
            for midx, mount in enumerate(c.get("volumeMounts") or []):
                if (mount or {}).get("name") not in volumes:
                    out.append(("%s.volumeMounts[%d].name" % (where, midx), "Not found: %s" % _q((mount or {}).get("name"))))
    return out


def _ephemeral(spec, path):
    """validateEphemeralContainers: targets and the fields an ephemeral container may not set."""
    out = []
    others = {c.get("name") for kind in ("containers", "initContainers") for c in spec.get(kind) or []
              if isinstance(c, dict)}
    for idx, c in enumerate(spec.get("ephemeralContainers") or []):
        where = "%s.ephemeralContainers[%d]" % (path, idx)
        target = (c or {}).get("targetContainerName")
        if target and target not in others:
            out.append((where + ".targetContainerName", "Not found: %s" % _q(target)))
        for key in EPHEMERAL_FORBIDDEN:
            if c.get(key) not in (None, {}, []):
                out.append(("%s.%s" % (where, key), "Forbidden: cannot be set for an Ephemeral Container"))
        for midx, mount in enumerate(c.get("volumeMounts") or []):
            for key in ("subPath", "subPathExpr"):
                if (mount or {}).get(key):
                    out.append(("%s.volumeMounts[%d].%s" % (where, midx, key),
                                "Forbidden: cannot be set for an Ephemeral Container"))
    return out


def pod_spec(spec, path, for_pod=True, restart=RESTART_POLICIES):
    """Causes of a pod spec (for_pod False: a template, whose images may still be filled in by admission)."""
    if not isinstance(spec, dict):
        return [(path, "Required value")]
    out = _containers(spec, path, for_pod) + _ephemeral(spec, path)
    if spec.get("restartPolicy") not in restart:
        out.append((path + ".restartPolicy", _unsupported(spec.get("restartPolicy"), restart)))
    if spec.get("dnsPolicy") not in DNS_POLICIES:
        out.append((path + ".dnsPolicy", _unsupported(spec.get("dnsPolicy"), DNS_POLICIES)))
    seen = set()
    for idx, volume in enumerate(spec.get("volumes") or []):
        name = (volume or {}).get("name")
        if name in seen:
            out.append(("%s.volumes[%d].name" % (path, idx), "Duplicate value: %s" % _q(name)))
        seen.add(name)
    return out


def pod_create(pod):
    spec = pod.get("spec") or {}
    out = pod_spec(spec, "spec")
    if spec.get("ephemeralContainers"):
        out.append(("spec.ephemeralContainers", "Forbidden: cannot be set on create"))
    return out


def _spec_diff(old, new):
    keys = sorted(set(old) | set(new))
    lines = ["  core.PodSpec{"]
    for key in keys:
        if old.get(key) != new.get(key):
            if key in old:
                lines.append("-  %s: %s," % (key, json.dumps(old[key], sort_keys=True)))
            if key in new:
                lines.append("+  %s: %s," % (key, json.dumps(new[key], sort_keys=True)))
    lines.append("  }")
    return "\n".join(lines) + "\n"


def pod_update(new, old):
    """ValidatePodUpdate: what a plain update of a pod may change in its spec."""
    nspec, ospec = dict(new.get("spec") or {}), old.get("spec") or {}
    out = pod_spec(nspec, "spec")
    for kind in ("containers", "initContainers"):
        ncs, ocs = nspec.get(kind) or [], ospec.get(kind) or []
        if len(ncs) != len(ocs):
            return out + [("spec." + kind, "Forbidden: pod updates may not add or remove containers")]
        if kind in nspec:
            nspec[kind] = [dict(n, image=o.get("image")) if "image" in o else {k: v for k, v in n.items() if k != "image"}
                           for n, o in zip(ncs, ocs)]
    new_deadline, old_deadline = nspec.get("activeDeadlineSeconds"), ospec.get("activeDeadlineSeconds")
    if new_deadline is not None and old_deadline is not None and new_deadline > old_deadline:
        out.append(("spec.activeDeadlineSeconds", "Invalid value: %s: must be less than or equal to previous value"
                    % new_deadline))
    elif new_deadline is None and old_deadline is not None:
        out.append(("spec.activeDeadlineSeconds", "Invalid value: \"null\": must not update from a positive integer "
                    "to nil value"))
    for idx, toleration in enumerate(ospec.get("tolerations") or []):
        if toleration not in (nspec.get("tolerations") or []):
            out.append(("spec.tolerations[%d]" % idx, "Forbidden: existing toleration can not be modified except "
                        "its tolerationSeconds"))
    for gate in nspec.get("schedulingGates") or []:
        if gate not in (ospec.get("schedulingGates") or []):
            out.append(("spec.schedulingGates", "Forbidden: only deletion is allowed, but found new scheduling "
                        "gate '%s'" % (gate or {}).get("name")))
    for key in ("activeDeadlineSeconds", "tolerations", "schedulingGates"):
        if key in ospec:
            nspec[key] = ospec[key]
        else:
            nspec.pop(key, None)
    grace = ospec.get("terminationGracePeriodSeconds")
    if grace is not None and grace < 0 and nspec.get("terminationGracePeriodSeconds") == 1:
        nspec["terminationGracePeriodSeconds"] = grace
    if nspec != ospec:
        out.append(("spec", "Forbidden: pod updates may not change fields other than %s\n%s"
                    % (",".join(UPDATABLE_POD_SPEC_FIELDS), _spec_diff(ospec, nspec))))
    return out


def ephemeral_update(new, old):
    """ValidatePodEphemeralContainersUpdate: new may only add ephemeral containers to old."""
    out = pod_spec(new.get("spec") or {}, "spec")
    current = {c.get("name"): c for c in (new.get("spec") or {}).get("ephemeralContainers") or []}
    for existing in (old.get("spec") or {}).get("ephemeralContainers") or []:
        name = existing.get("name")
        if name not in current:
            out.append(("spec.ephemeralContainers", "Forbidden: existing ephemeral containers %s may not be removed\n"
                        % _q(name)))
        elif current[name] != existing:
            out.append(("spec.ephemeralContainers", "Forbidden: existing ephemeral containers %s may not be changed\n%s"
                        % (_q(name), _spec_diff(existing, current[name]).replace("core.PodSpec", "core.EphemeralContainer"))))
    return out


def _selector(spec, tmpl_labels, path, kind_name, map_selector=False):
    out = []
    selector = spec.get("selector")
    if map_selector:
        if selector and not labels_match([(k, "=", [v]) for k, v in selector.items()], tmpl_labels):
            out.append((path + ".template.metadata.labels", "Invalid value: %s: `selector` does not match template "
                        "`labels`" % _go_map(tmpl_labels)))
        return out
    if not isinstance(selector, dict):
        return [(path + ".selector", "Required value")]
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        out.append((path + ".selector", "Invalid value: \"{}\": empty selector is invalid for %s" % kind_name))
    elif not labels_match(selector_from_label_selector(selector), tmpl_labels):
        out.append((path + ".template.metadata.labels", "Invalid value: %s: `selector` does not match template "
                    "`labels`" % _go_map(tmpl_labels)))
    return out


def workload(rkey, obj):
    """Causes of a Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job or CronJob."""
    spec = obj.get("spec") or {}
    path = "spec"
    if rkey == ("batch", "cronjobs"):
        out = []
        if not re.fullmatch(r"\s*(@\w+|(\S+\s+){4}\S+)\s*", spec.get("schedule") or ""):
            out.append(("spec.schedule", "Invalid value: %s: expected exactly 5 fields, found %d"
                        % (_q(spec.get("schedule") or ""), len((spec.get("schedule") or "").split()))))
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        rkey, path = ("batch", "jobs"), "spec.jobTemplate.spec"
        return out + _template_causes(rkey, spec, path)
    out = _template_causes(rkey, spec, path)
    for key in ("replicas", "minReadySeconds", "revisionHistoryLimit", "parallelism", "completions", "backoffLimit"):
        if isinstance(spec.get(key), int) and spec[key] < 0:
            out.append(("%s.%s" % (path, key), "Invalid value: %d: must be greater than or equal to 0" % spec[key]))
    tmpl_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if rkey == ("", "replicationcontrollers"):
        out += _selector(spec, tmpl_labels, path, "", map_selector=True)
    elif rkey != ("batch", "jobs") or spec.get("manualSelector"):
        out += _selector(spec, tmpl_labels, path, obj.get("kind", "").lower())
    return out


def _template_causes(rkey, spec, path):
    tmpl = spec.get("template")
    if not isinstance(tmpl, dict):
        return [(path + ".template", "Required value")]
    tspec = tmpl.get("spec") or {}
    out = pod_spec(tspec, path + ".template.spec", for_pod=False, restart=TEMPLATE_RESTART[rkey])
    if tspec.get("ephemeralContainers"):
        out.append((path + ".template.spec.ephemeralContainers", "Forbidden: ephemeral containers not allowed in pod "
                    "template"))
    return out


def csr(obj, old):
    """ValidateCertificateSigningRequestCreate/Update: a PEM request, a signer, usages; conditions by type."""
    spec, out = obj.get("spec") or {}, []
    if old is None:
        try:
            pem = base64.b64decode(spec.get("request") or "").decode("ascii", "replace")
        except (binascii.Error, ValueError):
            pem = ""
        if "-----BEGIN CERTIFICATE REQUEST-----" not in pem:
            out.append(("spec.request", "Invalid value: %s: PEM block type must be CERTIFICATE REQUEST"
                        % _q(spec.get("request") or "")))
        for key in ("signerName", "usages"):
            if not spec.get(key):
                out.append(("spec." + key, "Required value"))
    seen = set()
    for idx, cond in enumerate((obj.get("status") or {}).get("conditions") or []):
        kind = (cond or {}).get("type")
        if kind in seen:
            out.append(("status.conditions[%d].type" % idx, "Duplicate value: %s" % _q(kind)))
        elif kind in ("Approved", "Denied") and ({"Approved", "Denied"} - {kind}) & seen:
            out.append(("status.conditions[%d].type" % idx, "Invalid value: %s: Approved and Denied conditions are "
                        "mutually exclusive" % _q(kind)))
        seen.add(kind)
        status = (cond or {}).get("status")
        if status not in ("True", "False", "Unknown"):
            out.append(("status.conditions[%d].status" % idx, _unsupported(status, ("False", "True", "Unknown"))))
    return out


def validate(rkey, obj, old, subresource=""):
    """Causes of a create (old None) or update through subresource ("" for the object itself)."""
    if rkey == ("certificates.k8s.io", "certificatesigningrequests"):
        return csr(obj, old)
    if subresource not in ("", "ephemeralcontainers"):
        return []
    if rkey == ("", "pods"):
        if old is None:
            return pod_create(obj)
        return ephemeral_update(obj, old) if subresource else pod_update(obj, old)
    if rkey in TEMPLATE_RESTART or rkey == ("batch", "cronjobs"):
        return workload(rkey, obj)
    return []
