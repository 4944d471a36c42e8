# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The support subjects and SubjectAccessReview probes of the Kubernetes RBAC modules.

Their argument_spec is module_utils/_rbac.subject_spec() and probe_spec().
"""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """O(subjects) (DOCUMENTATION) and O(probes) (PROBES)."""

    DOCUMENTATION = r"""
options:
  subjects:
    description:
      - The support subjects to look for in bindings.
      - Defaults to the Crusoe support groups C(crusoe:support:readonly) and C(crusoe:support:operator).
      - O(subjects[].name) may be a glob pattern, for example C(crusoe:support:*).
      - A C(ServiceAccount) subject also matches bindings to the user C(system:serviceaccount:<namespace>:<name>).
        Bindings to the groups every ServiceAccount or every authenticated identity is in (C(system:serviceaccounts),
        C(system:serviceaccounts:<namespace>), C(system:authenticated), ...) are broad subjects - reported when they
        grant a door class, never taken for the subject's own (and never deleted as such).
    type: list
    elements: dict
    suboptions:
      kind:
        description: The subject kind.
        type: str
        choices: [Group, User, ServiceAccount]
        default: Group
      name:
        description: The group, user or ServiceAccount name (glob patterns allowed).
        type: str
        required: true
      namespace:
        description: The ServiceAccount's namespace; omitted means any namespace.
        type: str
"""

    PROBES = r"""
options:
  probes:
    description:
      - SubjectAccessReview probes to run. Each asks whether O(probes[].user) and/or O(probes[].groups) may
        O(probes[].verb) the resource.
      - When omitted, each support subject that is not a pattern gets default probes for exec into pods in
        C(kube-system) (C(create) and WebSocket C(get) on C(pods/exec)), C(get secrets) cluster-wide, C(delete pods) in
        C(kube-system), C(list pods) cluster-wide and C(patch nodes). Pattern subjects get no default probes.
      - An empty list runs no probes.
    type: list
    elements: dict
    suboptions:
      name:
        description: A name for the probe in the results.
        type: str
      user:
        description: The user to ask for.
        type: str
      groups:
        description: The groups to ask for.
        type: list
        elements: str
      verb:
        description: The verb, for example C(create), C(get), C(list), C(delete), C(patch).
        type: str
        required: true
      resource:
        description: The resource, for example C(pods).
        type: str
        required: true
      subresource:
        description: The subresource, for example C(exec).
        type: str
      api_group:
        description: The API group; empty for the core group.
        type: str
        default: ""
      namespace:
        description: The namespace; omitted means cluster-wide (all namespaces).
        type: str
      resource_name:
        description: The name of one object.
        type: str
"""
