# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_rbac_info
short_description: Show what cloud-provider support can do in a Kubernetes cluster
version_added: 0.1.0
description:
  - Reads every ClusterRoleBinding and RoleBinding of one cluster and reports those that grant anything to a
    support subject (by default the Crusoe support groups C(crusoe:support:readonly) and C(crusoe:support:operator)),
    that bind a named support ClusterRole to anyone (for example CoreWeave's C(teleport-cluster-viewers) and
    C(teleport-cluster-super-admins)), or that carry the support chart's labels.
  - For each binding it resolves the role (including aggregated ClusterRoles) and says what it grants in plain
    terms, such as C(exec_pods), C(read_secrets), C(patch_nodes) or C(full_access).
    C(get) on C(pods/exec) (also through C(*/exec) or C(*)) counts as C(exec_pods) and is flagged as
    C(exec_pods_via_get), because WebSocket exec needed only C(get) before Kubernetes 1.35.
  - A rule naming C(pods/*) grants nothing, because Kubernetes RBAC treats it as a literal resource name, not a wildcard. It is
    flagged as C(literal_subresource_wildcard), since its author probably meant every subresource, exec included.
    When such a rule grants C(get) on C(pods/*) it is also flagged as C(exec_pods_via_subresource_wildcard), because as
    written it is meant to allow WebSocket exec; the fleet report raises C(viewer-can-exec) for a read-only role with it.
  - Bindings of the ClusterRoles in O(read_only_roles) (by default CoreWeave's C(teleport-cluster-viewers), documented
    as read-only without Secrets) list what they grant beyond that in RV(bindings[].read_only_violations).
  - Lists every ClusterRole, ClusterRoleBinding, Role, RoleBinding, FlowSchema and PriorityLevelConfiguration that
    carries the support chart's labels (C(app.kubernetes.io/instance=<chart_release>) or
    C(app.kubernetes.io/name=crusoe-support-roles)). C(crusoe.ai/managed=true) alone is not enough, as other
    Crusoe-managed charts carry it too. A cluster that does not serve C(flowcontrol.apiserver.k8s.io/v1) is tolerated.
  - Asks the API server itself with SubjectAccessReview probes what the support subjects may do.
  - Never changes anything; the SubjectAccessReviews it creates are not stored by Kubernetes.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - kubernetes.core.k8s_auth_options
  - neocloud.support_access.support_subjects
  - neocloud.support_access.support_subjects.probes
options:
  support_cluster_roles:
    description:
      - ClusterRoles that exist for support; every binding of them is reported, whoever is bound.
      - For CoreWeave use C([teleport-cluster-viewers, teleport-cluster-super-admins]).
    type: list
    elements: str
    default: []
  read_only_roles:
    description:
      - ClusterRoles expected to be read-only without access to Secrets. Each reported binding of one lists in
        RV(bindings[].read_only_violations) every capability it grants beyond reading (exec, attach, port-forward,
        reading Secrets, writes).
      - Only bindings reported anyway (see O(support_cluster_roles) and O(subjects)) are checked.
    type: list
    elements: str
    default: [teleport-cluster-viewers]
  chart_release:
    description: The support chart's release name, matched against the C(app.kubernetes.io/instance) label.
    type: str
    default: crusoe-support-roles
  page_size:
    description: How many objects to ask for per list page.
    type: int
    default: 500
notes:
  - The credentials need C(list) on the RBAC and flowcontrol resources and C(create) on
    C(subjectaccessreviews.authorization.k8s.io).
seealso:
  - module: neocloud.support_access.support_pods
"""

EXAMPLES = r"""
- name: What can Crusoe support do in this cluster?
  neocloud.support_access.support_rbac_info:
    kubeconfig: ~/.kube/fleet.yaml
    context: training-prod
  register: rbac

- name: Fail unless support access is fully revoked
  ansible.builtin.assert:
    that:
      - rbac.summary.clean
    fail_msg: "support can still {{ rbac.summary.capabilities | join(', ') }}"

- name: CoreWeave Teleport roles, with a custom probe
  neocloud.support_access.support_rbac_info:
    context: cks-inference
    subjects: []
    support_cluster_roles:
      - teleport-cluster-viewers
      - teleport-cluster-super-admins
    probes:
      - name: viewers read secrets
        groups: [teleport-cluster-viewers]
        verb: get
        resource: secrets
"""

RETURN = r"""
cluster:
  description: The cluster the module talked to (the context, else the host).
  returned: always
  type: str
  sample: training-prod
bindings:
  description: Every binding that grants a support subject anything, binds a support ClusterRole or carries the chart's labels.
  returned: success
  type: list
  elements: dict
  contains:
    kind:
      description: C(ClusterRoleBinding) or C(RoleBinding).
      type: str
    name:
      description: The binding's name.
      type: str
    namespace:
      description: The RoleBinding's namespace (null for ClusterRoleBindings).
      type: str
    uid:
      description: The binding's uid.
      type: str
    scope:
      description: C(cluster) or the namespace the grant applies to.
      type: str
    role_ref:
      description: The bound role, C({kind, name}).
      type: dict
    role_found:
      description: Whether the bound role exists (a binding to a missing role grants nothing yet).
      type: bool
    subjects:
      description: All subjects of the binding.
      type: list
      elements: dict
    support_subjects:
      description: The subjects that are support subjects.
      type: list
      elements: dict
    support_role:
      description: Whether the role is one of O(support_cluster_roles).
      type: bool
    chart_managed:
      description: Whether the binding carries the support chart's labels.
      type: bool
    capabilities:
      description: What the role grants on every object, in plain terms.
      type: list
      elements: str
      sample: [exec_pods, portforward_pods]
    restricted:
      description: Capabilities granted only on named objects (C(resourceNames)), capability -> names.
      type: dict
    flags:
      description: Risky details, for example C(exec_pods_via_get) or C(literal_subresource_wildcard).
      type: list
      elements: str
    expected:
      description: C(read-only) for a binding of one of O(read_only_roles), else null.
      type: str
    read_only_violations:
      description: For a binding of one of O(read_only_roles), the capabilities it must not grant but does; else empty.
      type: list
      elements: str
      sample: [exec_pods, read_secrets]
labelled_objects:
  description: Every object carrying the support chart's labels.
  returned: success
  type: list
  elements: dict
  contains:
    kind:
      description: The object's kind.
      type: str
    name:
      description: The object's name.
      type: str
    namespace:
      description: The object's namespace (null for cluster-scoped objects).
      type: str
    uid:
      description: The object's uid.
      type: str
    labels:
      description: The object's labels.
      type: dict
flowcontrol_served:
  description: Whether the cluster serves C(flowcontrol.apiserver.k8s.io/v1).
  returned: success
  type: bool
probes:
  description: The SubjectAccessReview probes and the API server's answers.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The probe's name.
      type: str
    user:
      description: The user asked for.
      type: str
    groups:
      description: The groups asked for.
      type: list
      elements: str
    verb:
      description: The verb.
      type: str
    resource:
      description: The resource.
      type: str
    subresource:
      description: The subresource.
      type: str
    api_group:
      description: The API group.
      type: str
    namespace:
      description: The namespace (null for cluster-wide).
      type: str
    resource_name:
      description: The object name.
      type: str
    allowed:
      description: Whether the API server allows it.
      type: bool
    denied:
      description: Whether an authorizer explicitly denied it.
      type: bool
    reason:
      description: The API server's reason, for example which binding allows it.
      type: str
    evaluation_error:
      description: An error the authorizer met, if any.
      type: str
summary:
  description: The verdict in a few numbers.
  returned: success
  type: dict
  contains:
    support_subjects_bound:
      description: Whether any binding grants a support subject (or anyone through a support ClusterRole) something.
      type: bool
    capabilities:
      description: Everything support subjects are granted, across all bindings.
      type: list
      elements: str
    probes_allowed:
      description: How many probes were allowed.
      type: int
    probes_total:
      description: How many probes ran.
      type: int
    bindings:
      description: How many bindings were reported.
      type: int
    labelled_objects:
      description: How many objects carry the chart's labels.
      type: int
    read_only_violations:
      description: How many bindings of O(read_only_roles) grant more than reading.
      type: int
    clean:
      description: True when no support subject is bound, no chart object is left and no probe is allowed.
      type: bool
"""

from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import K8sClusterError, SupportK8sModule
from ansible_collections.neocloud.support_access.plugins.module_utils import _objects, _rbac, _support

RBAC = "/apis/rbac.authorization.k8s.io/v1/"
FLOWCONTROL = "/apis/flowcontrol.apiserver.k8s.io/v1/"


class SupportRbacInfo(SupportK8sModule):
    """Scan one cluster's RBAC for support access and probe it with SubjectAccessReviews."""

    def run(self):
        """Validate the options, scan, probe and exit."""
        try:
            subjects = _rbac.normalize_subjects(self.params["subjects"])
            probes = _rbac.normalize_probes(self.params["probes"], subjects)
            _objects.check_page_size(self.params["page_size"])
        except ValueError as exc:
            self.module.fail_json(msg="invalid option: %s" % exc)
            return
        try:
            result = self.scan(subjects, probes)
        except K8sClusterError as err:
            self.fail_error(err)
            return
        self.exit(changed=False, **result)

    def scan(self, subjects, probes):
        """List RBAC and flowcontrol objects, analyse them and run the probes (raises K8sClusterError)."""
        page = self.params["page_size"]
        labels = _rbac.chart_labels(self.params["chart_release"])
        objects = {}
        for kind, plural in (("ClusterRole", "clusterroles"), ("ClusterRoleBinding", "clusterrolebindings"),
                             ("Role", "roles"), ("RoleBinding", "rolebindings")):
            objects[kind] = self.list_all(RBAC + plural, "listing %s" % plural, page_size=page, kind=kind)
        flowcontrol_served = True
        for kind, plural in (("FlowSchema", "flowschemas"), ("PriorityLevelConfiguration", "prioritylevelconfigurations")):
            try:
                objects[kind] = self.list_all(FLOWCONTROL + plural, "listing %s" % plural, page_size=page, kind=kind)
            except K8sClusterError as err:
                if err.status != 404:
                    raise
                flowcontrol_served = False
                objects[kind] = []
        bindings = _rbac.analyze_bindings(
            objects["ClusterRole"], objects["ClusterRoleBinding"], objects["Role"], objects["RoleBinding"],
            subjects=subjects, support_cluster_roles=self.params["support_cluster_roles"], labels=labels,
            read_only_roles=self.params["read_only_roles"])
        labelled = _rbac.labelled_objects(objects, labels)
        results = []
        for probe in probes:
            review = self.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                  "SubjectAccessReview probe %r" % probe["name"],
                                  body=_rbac.subject_access_review(probe))
            results.append(_rbac.probe_result(probe, review))
        return dict(bindings=bindings, labelled_objects=labelled, probes=results, flowcontrol_served=flowcontrol_served,
                    summary=_rbac.rbac_summary(bindings, labelled, results))


def main():
    argument_spec = dict(
        subjects=dict(type="list", elements="dict", options=_rbac.subject_spec()),
        support_cluster_roles=dict(type="list", elements="str", default=[]),
        read_only_roles=dict(type="list", elements="str", default=list(_rbac.READ_ONLY_DEFAULT_ROLES)),
        chart_release=dict(type="str", default=_support.CRUSOE_CHART_RELEASE),
        probes=dict(type="list", elements="dict", options=_rbac.probe_spec()),
        page_size=dict(type="int", default=500),
    )
    SupportRbacInfo(argument_spec, supports_check_mode=True).run()


if __name__ == "__main__":
    main()
