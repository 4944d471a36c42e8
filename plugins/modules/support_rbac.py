# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_rbac
short_description: Delete the support RBAC left behind in a Kubernetes cluster
version_added: 0.1.0
description:
  - Deletes what lets cloud-provider support act in one cluster after the support chart is uninstalled (or when
    the chart no longer tracks it), found exactly as M(neocloud.support_access.support_rbac_info) finds it.
  - Every ClusterRoleBinding and RoleBinding that grants anything to a support subject (by default the Crusoe
    support groups C(crusoe:support:readonly) and C(crusoe:support:operator)).
  - Every ClusterRole, ClusterRoleBinding, Role, RoleBinding, FlowSchema and PriorityLevelConfiguration that
    carries the support chart's labels (C(app.kubernetes.io/instance=<chart_release>) or
    C(app.kubernetes.io/name=crusoe-support-roles)). C(crusoe.ai/managed=true) alone is not enough, as other
    Crusoe-managed charts carry it too.
  - Never touches built-in objects (label C(kubernetes.io/bootstrapping=rbac-defaults) or a name starting with
    C(system:)), and never deletes a binding that also grants to subjects that are not support subjects; with
    O(remove_subjects_from_shared_bindings=true) only the support subjects are removed from such a binding.
  - Every delete carries a uid precondition and every update the object's C(resourceVersion), so only the exact
    object that was examined is changed.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - kubernetes.core.k8s_auth_options
  - neocloud.support_access.support_subjects
attributes:
  check_mode:
    details: Lists what would be deleted or updated; sends no write request.
  diff_mode:
    details: Shows the support RBAC objects before and after.
options:
  state:
    description: V(absent) is the only state; it deletes (requires O(confirm=true) outside check mode).
    type: str
    choices: [absent]
    default: absent
  confirm:
    description: Must be V(true) for the module to delete or update anything outside check mode.
    type: bool
    default: false
  chart_release:
    description: The support chart's release name, matched against the C(app.kubernetes.io/instance) label.
    type: str
    default: crusoe-support-roles
  remove_subjects_from_shared_bindings:
    description:
      - A binding that grants to support subjects and to others is kept by default (reported in RV(kept)).
      - With V(true), the support subjects are removed from it and the other subjects keep their access.
    type: bool
    default: false
  policy:
    description:
      - The support access policy (the collection's C(docs/report.md)); the subjects its C(support_subjects) declare
        are support subjects too (the revoke playbook passes C(support_access_policy)).
    type: dict
  page_size:
    description: How many objects to ask for per list page.
    type: int
    default: 500
notes:
  - Needs C(list) and C(delete) (and C(update) for shared bindings) on the RBAC and flowcontrol resources.
  - A cluster that does not serve C(flowcontrol.apiserver.k8s.io/v1) is tolerated.
seealso:
  - module: neocloud.support_access.support_rbac_info
  - module: neocloud.support_access.support_pods
"""

EXAMPLES = r"""
- name: Preview the support RBAC a revocation deletes
  neocloud.support_access.support_rbac:
    context: training-prod
  check_mode: true
  register: preview

- name: Delete it
  neocloud.support_access.support_rbac:
    context: training-prod
    confirm: true

- name: Also take support out of bindings shared with other subjects
  neocloud.support_access.support_rbac:
    context: training-prod
    confirm: true
    remove_subjects_from_shared_bindings: true
"""

RETURN = r"""
cluster:
  description: The cluster the module talked to (the context, else the host).
  returned: always
  type: str
  sample: training-prod
would_delete:
  description: The objects a confirmed run deletes, C({kind, name, namespace, uid, reasons}).
  returned: success
  type: list
  elements: dict
  sample: [{kind: RoleBinding, name: support-orphan, namespace: kube-system, uid: 0f6b..., reasons: [grants to Group crusoe:support:operator]}]
deleted:
  description: The objects deleted by this run.
  returned: success
  type: list
  elements: dict
would_update:
  description: Shared bindings a confirmed run takes the support subjects out of (with O(remove_subjects_from_shared_bindings)).
  returned: success
  type: list
  elements: dict
updated:
  description: Shared bindings this run took the support subjects out of.
  returned: success
  type: list
  elements: dict
kept:
  description: Objects found but left alone, each with a C(reason) (built-in object, shared binding).
  returned: success
  type: list
  elements: dict
skipped:
  description: Objects not deleted because they were gone or replaced (uid changed) by the time of deletion.
  returned: success
  type: list
  elements: dict
msg:
  description: What was done.
  returned: success
  type: str
"""

from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import K8sClusterError, SupportK8sModule
from ansible_collections.neocloud.support_access.plugins.module_utils import _objects, _rbac, _report, _support

RBAC = "/apis/rbac.authorization.k8s.io/v1/"
FLOWCONTROL = "/apis/flowcontrol.apiserver.k8s.io/v1/"
KINDS = (
    ("ClusterRoleBinding", RBAC, "clusterrolebindings", False),
    ("RoleBinding", RBAC, "rolebindings", True),
    ("ClusterRole", RBAC, "clusterroles", False),
    ("Role", RBAC, "roles", True),
    ("FlowSchema", FLOWCONTROL, "flowschemas", False),
    ("PriorityLevelConfiguration", FLOWCONTROL, "prioritylevelconfigurations", False),
)
BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"


def _key(kind, namespace, name):
    return (kind, namespace or "", name or "")


def _label(ref):
    return "%s %s%s" % (ref["kind"], ref["namespace"] + "/" if ref.get("namespace") else "", ref["name"])


def object_path(kind, name, namespace=None):
    """The API path of one RBAC or flowcontrol object."""
    for k, prefix, plural, namespaced in KINDS:
        if k == kind:
            if namespaced:
                return "%snamespaces/%s/%s/%s" % (prefix, namespace, plural, name)
            return "%s%s/%s" % (prefix, plural, name)
    raise ValueError("unknown kind %s" % kind)


def builtin_reason(obj):
    """Why an object is a built-in one that is never touched, or None."""
    meta = obj.get("metadata") or {}
    if (meta.get("labels") or {}).get(BOOTSTRAP_LABEL) == "rbac-defaults":
        return "built-in object (label %s=rbac-defaults)" % BOOTSTRAP_LABEL
    if (meta.get("name") or "").startswith("system:"):
        return "built-in object (name starts with system:)"
    return None


def plan(objects, bindings, labelled, subjects, remove_shared):
    """Decide per object: delete, update (support subjects removed) or keep. Pure; returns three lists.

    ``objects`` maps kind -> list of objects; ``bindings`` is _rbac.analyze_bindings() output and ``labelled``
    _rbac.labelled_objects() output.
    """
    by_key = {}
    for kind, items in objects.items():
        for obj in items or []:
            meta = obj.get("metadata") or {}
            by_key[_key(kind, meta.get("namespace"), meta.get("name"))] = obj
    reasons = {}
    for entry in bindings:
        if entry["support_subjects"]:
            reasons.setdefault(_key(entry["kind"], entry["namespace"], entry["name"]), []).extend(
                "grants to %s %s" % (s["kind"], s["name"]) for s in entry["support_subjects"])
    for entry in labelled:
        reasons.setdefault(_key(entry["kind"], entry["namespace"], entry["name"]), []).append("carries the support chart's labels")
    delete, update, keep = [], [], []
    for key in sorted(reasons):
        obj = by_key.get(key)
        if obj is None:
            continue
        ref = _objects.object_ref(obj, key[0])
        ref["reasons"] = reasons[key]
        builtin = builtin_reason(obj)
        if builtin:
            keep.append(dict(ref, reason=builtin))
            continue
        if key[0] in ("ClusterRoleBinding", "RoleBinding"):
            support = _rbac.matching_subjects(obj, subjects)
            others = [s for s in obj.get("subjects") or []
                      if not any(_rbac.subject_matches(s, spec, key[1] or None) for spec in subjects)]
            if others:
                names = ", ".join("%s %s" % (s.get("kind"), s.get("name")) for s in others)
                if remove_shared and support:
                    update.append(dict(ref, remove_subjects=support, keep_subjects=names))
                else:
                    keep.append(dict(ref, reason="shared binding: also grants to %s" % names))
                continue
        delete.append(ref)
    return delete, update, keep


class SupportRbac(SupportK8sModule):
    """Delete the support RBAC of one cluster."""

    def run(self):
        params = self.params
        try:
            subjects = self.subjects()
            _objects.check_page_size(params["page_size"])
        except ValueError as exc:
            self.fail("invalid option: %s" % exc)
            return
        try:
            objects = self.list_objects()
        except K8sClusterError as err:
            self.fail_error(err)
            return
        labels = _rbac.chart_labels(params["chart_release"])
        bindings = _rbac.analyze_bindings(objects["ClusterRole"], objects["ClusterRoleBinding"], objects["Role"],
                                          objects["RoleBinding"], subjects=subjects, labels=labels)
        labelled = _rbac.labelled_objects(objects, labels)
        delete, update, keep = plan(objects, bindings, labelled, subjects, params["remove_subjects_from_shared_bindings"])
        result = {"would_delete": delete, "would_update": update,
                  "kept": keep, "deleted": [], "updated": [], "skipped": []}
        if not self.check_mode and not params["confirm"] and (delete or update):
            self.fail("support_rbac deletes RBAC objects and needs confirm=true; it would delete %d object(s): %s%s"
                      % (len(delete), ", ".join(_label(r) for r in delete) or "none",
                         "; and take support subjects out of %s" % ", ".join(_label(u) for u in update) if update else ""),
                      **result)
            return
        if not self.check_mode:
            self.apply(objects, delete, update, result)
        changed = bool(result["deleted"] or result["updated"]) if not self.check_mode else bool(delete or update)
        if self.diff_mode:
            before = sorted(_label(r) for r in delete + update + keep)
            gone = set(_label(r) for r in delete)
            result["diff"] = {"before": {"support_rbac": before},
                              "after": {"support_rbac": [n for n in before if n not in gone]}}
        result["msg"] = ("%s %d object(s), took support subjects out of %d shared binding(s), kept %d"
                         % ("would delete" if self.check_mode else "deleted",
                            len(delete) if self.check_mode else len(result["deleted"]),
                            len(update) if self.check_mode else len(result["updated"]), len(keep)))
        self.exit(changed=changed, **result)

    def subjects(self):
        """The support subjects: O(subjects) (default: the Crusoe groups) and the policy's declared ones."""
        subjects = _rbac.normalize_subjects(self.params["subjects"])
        try:
            declared = _report.merge_policy(self.params["policy"])["support_subjects"] if self.params["policy"] else []
        except _report.ReportError as exc:
            raise ValueError(str(exc)) from None
        return subjects + [spec for spec in declared if spec not in subjects]

    def list_objects(self):
        objects = {}
        page = self.params["page_size"]
        for kind, prefix, plural, dummy in KINDS:
            try:
                objects[kind] = self.list_all(prefix + plural, "listing %s" % plural, page_size=page, kind=kind)
            except K8sClusterError as err:
                if prefix != FLOWCONTROL or err.status != 404:
                    raise
                objects[kind] = []
        return objects

    def apply(self, objects, delete, update, result):
        by_uid = {}
        for items in objects.values():
            for obj in items:
                by_uid[(obj.get("metadata") or {}).get("uid")] = obj
        for ref in update:
            obj = dict(by_uid[ref["uid"]])
            ns = ref["namespace"] or None
            obj["subjects"] = [s for s in obj.get("subjects") or []
                               if not any(_rbac.subject_matches(s, spec, ns)
                                          for spec in self.subjects())]
            what = "removing support subjects from %s" % _label(ref)
            try:
                self.request("PUT", object_path(ref["kind"], ref["name"], ns), what, body=obj)
            except K8sClusterError as err:
                if err.status in (404, 409):
                    result["skipped"].append(dict(ref, reason="gone" if err.status == 404 else "changed meanwhile (conflict)"))
                    continue
                self.fail_error(err, **result)
            result["updated"].append(ref)
        for ref in delete:
            what = "deleting %s" % _label(ref)
            try:
                answer = self.request("DELETE", object_path(ref["kind"], ref["name"], ref["namespace"]), what,
                                      body=_objects.delete_options(ref["uid"]), ok_statuses=(404, 409))
            except K8sClusterError as err:
                self.fail_error(err, **result)
                return
            outcome = _objects.delete_outcome(answer)
            if outcome == "deleted":
                result["deleted"].append(ref)
            else:
                result["skipped"].append(dict(ref, reason=outcome))


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["absent"], default="absent"),
        confirm=dict(type="bool", default=False),
        subjects=dict(type="list", elements="dict", options=_rbac.subject_spec()),
        chart_release=dict(type="str", default=_support.CRUSOE_CHART_RELEASE),
        remove_subjects_from_shared_bindings=dict(type="bool", default=False),
        policy=dict(type="dict"),
        page_size=dict(type="int", default=500),
    )
    SupportRbac(argument_spec, supports_check_mode=True).run()


if __name__ == "__main__":
    main()
