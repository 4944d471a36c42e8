# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metav1.Status errors shaped as kube-apiserver writes them."""


class ApiError(Exception):
    """An error answered as a metav1.Status body."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            body["details"] = self.details
        return body


def qualified(rt):
    """The resource as kube-apiserver names it in messages: "pods", "deployments.apps"."""
    return rt.plural + ("." + rt.group if rt.group else "")


def _details(rt, name):
    details = {"name": name, "kind": rt.plural}
    if rt.group:
        details["group"] = rt.group
    return details


def not_found(rt, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(rt), name), _details(rt, name))


def already_exists(rt, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(rt), name), _details(rt, name))


def conflict(rt, name, why="the object has been modified; please apply your changes to the latest version and try again"):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (qualified(rt), name, why),
                    _details(rt, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


# field.ErrorType -> metav1.CauseType, by the text ErrorBody() starts with
_CAUSE_REASONS = (("Required value", "FieldValueRequired"), ("Duplicate value", "FieldValueDuplicate"),
                  ("Not found", "FieldValueNotFound"), ("Unsupported value", "FieldValueNotSupported"),
                  ("Forbidden", "FieldValueForbidden"), ("Too long", "FieldValueTooLong"),
                  ("Too many", "FieldValueTooMany"), ("Internal error", "InternalError"))


def _cause_reason(message):
    for prefix, reason in _CAUSE_REASONS:
        if message.startswith(prefix):
            return reason
    return "FieldValueInvalid"


def invalid(rt, name, causes):
    """causes: [(field, message)] -> 422 Invalid like field.ErrorList.ToAggregate()."""
    msgs = ["%s: %s" % (f, m) for f, m in causes]
    text = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    details = {"name": name, "kind": rt.kind,
               "causes": [{"reason": _cause_reason(m), "message": m, "field": f} for f, m in causes]}
    if rt.group:
        details["group"] = rt.group
    kind = rt.kind + ("." + rt.group if rt.group else "")
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, text), details)


def forbidden_text(user, attrs):
    if attrs.get("nonResource"):
        return 'forbidden: User "%s" cannot %s path "%s"' % (user, attrs["verb"], attrs["path"])
    res = attrs["resource"] + ("/" + attrs["subresource"] if attrs.get("subresource") else "")
    scope = ('in the namespace "%s"' % attrs["namespace"]) if attrs.get("namespace") else "at the cluster scope"
    text = 'User "%s" cannot %s resource "%s" in API group "%s" %s' % (user, attrs["verb"], res, attrs["apiGroup"], scope)
    qual = attrs["resource"] + ("." + attrs["apiGroup"] if attrs["apiGroup"] else "")
    if attrs.get("name"):
        return '%s "%s" is forbidden: %s' % (qual, attrs["name"], text)
    return "%s is forbidden: %s" % (qual, text)


def forbidden(user, attrs):
    details = {}
    if not attrs.get("nonResource"):
        details = {"kind": attrs["resource"]}
        if attrs.get("name"):
            details["name"] = attrs["name"]
        if attrs.get("apiGroup"):
            details["group"] = attrs["apiGroup"]
    return ApiError(403, "Forbidden", forbidden_text(user, attrs), details)
