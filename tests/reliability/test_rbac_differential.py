# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Differential property test: the scanner's door classes against the authoriser's answers.

Random RBAC - ClusterRoles (some aggregated), Roles, ClusterRoleBindings and RoleBindings whose subjects are
support groups, users and ServiceAccounts, look-alikes, broad groups (system:authenticated, system:serviceaccounts)
and others, rules with wildcards, ``*/subresource``, literal ``pods/*``, resourceNames and dangling role references -
is given to the scanner (module_utils/_rbac.analyze_bindings, what the audit and revoke report) and to the Kubernetes
emulator's RBAC authoriser (tests/sim/kube/rbac.py, what a SubjectAccessReview answers). For each support identity,
each class of _rbac.CAPABILITIES and each scope (cluster-wide and every namespace), the scanner says the class is
granted exactly when the authoriser allows every request of at least one of the class's alternatives - both ways:
no class the scanner misses, none it invents.

Requests on cluster-scoped resources are asked without a namespace (as the API server asks them); whether a resource
is cluster-scoped comes from the emulator's own type table, not from the scanner's.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from sim.kube import rbac as sim_rbac
from sim.kube.schema import BUILTIN_TYPES

from ansible_collections.neocloud.support_access.plugins.module_utils import _rbac

from test_properties import PROFILE, counted, prove

NAMESPACES = ("ml", "kube-system")
SUPPORT = ({"kind": "Group", "name": "crusoe:support:operator", "namespace": None},
           {"kind": "User", "name": "support-engineer", "namespace": None},
           {"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"})
# The namespaced API types; anything else a class names is cluster-scoped, including the virtual resources RBAC checks
# (impersonated users and groups, CSR signers).
# Kubernetes' namespaced types the emulator does not serve are added by hand (their scope is an API fact).
NAMESPACED = {(r.group, r.plural) for r in BUILTIN_TYPES if r.namespaced} | {
    ("", "replicationcontrollers"), ("discovery.k8s.io", "endpointslices")}

# The vocabulary rules are drawn from: every (group, resource[/sub]) the classes name, plus wildcards and decoys.
TARGETS = sorted({(group, resource + ("/" + sub if sub else ""))
                  for _name, checks in _rbac.CAPABILITY_CHECKS
                  for check in checks
                  for (_verbs, group, resource, sub) in (check if isinstance(check, _rbac.AllOf) else (check,))
                  if "*" not in (group, resource)})
GROUPS = sorted({g for g, _r in TARGETS}) + ["*", "example.com"]
WILDCARDS = ["*", "pods/*", "*/exec", "*/proxy", "*/scale", "*/status", "*/token", "nodes/status"]
RESOURCES = sorted({r for _g, r in TARGETS}) + WILDCARDS
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "bind", "escalate",
         "impersonate", "approve", "*"]
SUBJECTS = [
    {"kind": "Group", "name": "crusoe:support:operator"}, {"kind": "Group", "name": "customer-admins"},
    {"kind": "User", "name": "support-engineer"}, {"kind": "User", "name": "alice"},
    {"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"},
    {"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "ml"},
    {"kind": "User", "name": "system:serviceaccount:kube-system:crusoe-support"},
    {"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:serviceaccounts"},
    {"kind": "Group", "name": "system:serviceaccounts:kube-system"}, {"kind": "Group", "name": "system:unauthenticated"},
]
AGGREGATE_LABEL = "rbac.example.com/aggregate-to-support"


def rule_strategy():
    return st.builds(
        lambda verbs, groups, resources, names: dict({"verbs": verbs, "apiGroups": groups, "resources": resources},
                                                     **({"resourceNames": names} if names else {})),
        st.lists(st.sampled_from(VERBS), min_size=1, max_size=3, unique=True),
        # the core group and the wildcards often, so that pods, nodes and secrets rules are common
        st.one_of(st.just([""]), st.just(["*"]), st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True)),
        st.lists(st.one_of(st.sampled_from(WILDCARDS), st.sampled_from(RESOURCES)), min_size=1, max_size=3, unique=True),
        st.one_of(st.just([]), st.just([]), st.just(["only-this"])))


@st.composite
def rbac_world(draw):
    rules = st.lists(rule_strategy(), min_size=0, max_size=3)
    names = ["cr-%d" % i for i in range(draw(st.integers(1, 4)))]
    cluster_roles = []
    for name in names:
        role = {"metadata": {"name": name, "labels": {AGGREGATE_LABEL: "true"} if draw(st.booleans()) else {}},
                "rules": draw(rules)}
        cluster_roles.append(role)
    if draw(st.booleans()):
        cluster_roles.append({"metadata": {"name": "aggregated"}, "rules": [],
                              "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_LABEL: "true"}}]}})
        names.append("aggregated")
    roles = [{"metadata": {"name": "role-%d" % i, "namespace": ns}, "rules": draw(rules)}
             for i, ns in enumerate(draw(st.lists(st.sampled_from(NAMESPACES), max_size=2)))]
    refs = ([{"kind": "ClusterRole", "name": n} for n in names] + [{"kind": "ClusterRole", "name": "missing"}])
    subjects = st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=3)
    crbs = [{"metadata": {"name": "crb-%d" % i}, "roleRef": draw(st.sampled_from(refs)), "subjects": draw(subjects)}
            for i in range(draw(st.integers(0, 4)))]
    rbs = []
    for i in range(draw(st.integers(0, 4))):
        namespace = draw(st.sampled_from(NAMESPACES))
        local = [{"kind": "Role", "name": r["metadata"]["name"]} for r in roles if r["metadata"]["namespace"] == namespace]
        rbs.append({"metadata": {"name": "rb-%d" % i, "namespace": namespace},
                    "roleRef": draw(st.sampled_from(refs + local + [{"kind": "Role", "name": "missing"}])),
                    "subjects": draw(subjects)})
    return cluster_roles, roles, crbs, rbs


def identity(spec):
    """(user, groups) of a support credential of ``spec``, as the API server authenticates it."""
    if spec["kind"] == "Group":
        return "someone-in-support", [spec["name"], "system:authenticated"]
    if spec["kind"] == "User":
        return spec["name"], ["system:authenticated"]
    return ("system:serviceaccount:%s:%s" % (spec["namespace"], spec["name"]),
            ["system:serviceaccounts", "system:serviceaccounts:%s" % spec["namespace"], "system:authenticated"])


def applies(binding_entry, spec):
    """Whether a scanned binding grants to the identity of ``spec``: its support subjects, or a broad subject the
    identity is in."""
    if binding_entry["support_subjects"]:
        return True
    _user, groups = identity(spec)
    return any(s["kind"] == "Group" and s["name"] in groups for s in binding_entry["broad_subjects"])


def scanner_classes(world, spec, namespace):
    """The classes the scanner reports for ``spec`` in ``namespace`` (None: cluster-wide, ClusterRoleBindings only)."""
    cluster_roles, roles, crbs, rbs = world
    found = set()
    for entry in _rbac.analyze_bindings(cluster_roles, crbs, roles, rbs, subjects=[spec]):
        if not applies(entry, spec):
            continue
        if entry["kind"] == "RoleBinding" and entry["namespace"] != namespace:
            continue
        found.update(entry["capabilities"])
    return found


def authoriser_classes(world, spec, namespace):
    """The classes the emulator's authoriser grants ``spec``: every request of one alternative allowed."""
    cluster_roles, roles, crbs, rbs = world
    objects = {"clusterroles": cluster_roles, "roles": roles, "clusterrolebindings": crbs, "rolebindings": rbs}
    authorizer = sim_rbac.Authorizer(lambda resource: objects.get(resource, []))
    user, groups = identity(spec)

    def allowed(requirement):
        verbs, group, resource, sub = requirement
        scoped = resource != "*" and (group, resource) not in NAMESPACED
        attrs = {"apiGroup": group, "resource": resource, "subresource": sub or "",
                 "namespace": "" if scoped else (namespace or "")}
        return all(authorizer.authorize(user, groups, dict(attrs, verb=verb))[0] for verb in verbs)

    found = set()
    for name, checks in _rbac.CAPABILITY_CHECKS:
        for check in checks:
            requirements = check if isinstance(check, _rbac.AllOf) else (check,)
            if all(allowed(r) for r in requirements):
                found.add(name)
                break
    return found


def test_scanner_classes_agree_with_the_authoriser_both_ways(reliability):
    @settings(PROFILE, max_examples=300)
    @given(world=rbac_world())
    @counted
    def prop(_tally, world):
        for spec in SUPPORT:
            for namespace in (None,) + NAMESPACES:
                scanned = scanner_classes(world, spec, namespace)
                truth = authoriser_classes(world, spec, namespace)
                assert scanned == truth, (spec, namespace, sorted(scanned - truth), sorted(truth - scanned), world)

    prove(reliability, prop)
