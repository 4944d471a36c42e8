# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Protobuf tables for the access reviews (authorization.k8s.io/v1) and SelfSubjectReview, registered into
sim.kube.protobuf.

`kubectl auth can-i` sends SelfSubjectAccessReview (and `--list` a SelfSubjectRulesReview), `kubectl auth whoami`
a SelfSubjectReview, as protobuf.
Field numbers from k8s.io/api/authorization/v1/generated.proto. Registered at import by the server.
"""

from sim.kube import protobuf as pb

_f = pb._f  # pylint: disable=protected-access
_Message = pb._Message  # pylint: disable=protected-access

RESOURCE_ATTRIBUTES = _Message("ResourceAttributes", [
    _f(1, "namespace", pb.STRING), _f(2, "verb", pb.STRING), _f(3, "group", pb.STRING), _f(4, "version", pb.STRING),
    _f(5, "resource", pb.STRING), _f(6, "subresource", pb.STRING), _f(7, "name", pb.STRING),
])
NON_RESOURCE_ATTRIBUTES = _Message("NonResourceAttributes", [_f(1, "path", pb.STRING), _f(2, "verb", pb.STRING)])
SELF_SPEC = _Message("SelfSubjectAccessReviewSpec", [
    _f(1, "resourceAttributes", pb.MESSAGE, RESOURCE_ATTRIBUTES),
    _f(2, "nonResourceAttributes", pb.MESSAGE, NON_RESOURCE_ATTRIBUTES),
])
SAR_SPEC = _Message("SubjectAccessReviewSpec", [
    _f(1, "resourceAttributes", pb.MESSAGE, RESOURCE_ATTRIBUTES),
    _f(2, "nonResourceAttributes", pb.MESSAGE, NON_RESOURCE_ATTRIBUTES),
    _f(3, "user", pb.STRING), _f(4, "groups", pb.STRING, repeated=True), _f(6, "uid", pb.STRING),
])
SAR_STATUS = _Message("SubjectAccessReviewStatus", [
    _f(1, "allowed", pb.BOOL, keep=True), _f(2, "reason", pb.STRING), _f(3, "evaluationError", pb.STRING),
    _f(4, "denied", pb.BOOL),
])
RULES_SPEC = _Message("SelfSubjectRulesReviewSpec", [_f(1, "namespace", pb.STRING)])


def _review(name, spec, status=SAR_STATUS):
    return _Message(name, [_f(1, "metadata", pb.MESSAGE, pb.OBJECT_META), _f(2, "spec", pb.MESSAGE, spec),
                           _f(3, "status", pb.MESSAGE, status)])


AUTHZ = ("authorization.k8s.io/v1",)
KINDS = {
    "SelfSubjectAccessReview": (_review("SelfSubjectAccessReview", SELF_SPEC), AUTHZ),
    "SubjectAccessReview": (_review("SubjectAccessReview", SAR_SPEC), AUTHZ),
    "LocalSubjectAccessReview": (_review("LocalSubjectAccessReview", SAR_SPEC), AUTHZ),
    "SelfSubjectRulesReview": (_review("SelfSubjectRulesReview", RULES_SPEC, _Message("SubjectRulesReviewStatus", [])),
                               AUTHZ),
    # authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami): metadata and an output-only status
    "SelfSubjectReview": (_Message("SelfSubjectReview", [_f(1, "metadata", pb.MESSAGE, pb.OBJECT_META)]),
                          ("authentication.k8s.io/v1",)),
}


def register():
    """Teach sim.kube.protobuf the review kinds it does not list itself (idempotent)."""
    kinds = pb._KINDS  # pylint: disable=protected-access
    for kind, entry in KINDS.items():
        kinds.setdefault(kind, entry)
