# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_lease
short_description: Record, close or read the support-access lease of a Kubernetes cluster
version_added: 0.1.0
description:
  - A lease records who let the cloud provider's support in, why, with which roles and until when. It is stored in
    the cluster itself, as the ConfigMap C(neocloud-support-access-lease) in C(kube-system) carrying the labels
    C(app.kubernetes.io/managed-by=neocloud.support_access) and C(app.kubernetes.io/component=support-access-lease),
    so every run (a laptop, AWX, CI) sees the same record.
  - O(state=active) records a lease that starts now and ends after O(duration). An active, unexpired lease with
    the same ticket and roles is left alone unless O(extend=true); an active lease for another ticket or other roles
    is never replaced silently - the module fails, naming it, unless O(extend=true).
  - The ConfigMap keeps the earlier leases too (data key C(history), newest first, at most 50), each with how it
    ended - V(closed), V(expired), V(extended) (same ticket, new terms) or V(replaced) (another ticket).
  - O(state=closed) closes an active or expired lease; without a lease, or with a closed one, nothing changes.
  - O(state=query) only reads the lease.
  - A ConfigMap of that name that does not carry the lease labels is never overwritten; the module fails instead.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    details: Reports the lease as it would be; sends no write request.
  diff_mode:
    details: Shows the lease record before and after.
options:
  state:
    description:
      - V(active) records a lease (needs O(ticket) unless O(require_ticket=false)).
      - V(closed) closes the current lease.
      - V(query) only reads it.
    type: str
    choices: [active, closed, query]
    default: active
  ticket:
    description:
      - The support ticket the access is for, for example C(ZD-1234), C(ZD#1234) or a ticket URL.
      - One word of at most 128 characters - letters, digits, dots, underscores, hyphens, hash signs, colons and slashes - starting with a letter or digit.
    type: str
  require_ticket:
    description: Whether O(state=active) fails without O(ticket).
    type: bool
    default: true
  reason:
    description: Why support gets access.
    type: str
    default: ""
  requested_by:
    description: Who asked for the access; defaults to the user running the module.
    type: str
  roles:
    description: The support roles enabled, for example C([readonly, operator]).
    type: list
    elements: str
    default: []
  provider:
    description: The cloud provider, for example C(crusoe) or C(coreweave).
    type: str
    default: ""
  cluster_name:
    description: The cluster's name at the provider, recorded in the lease.
    type: str
    default: ""
  duration:
    description:
      - How long the lease lasts, for example C(8h), C(90m), C(1h30m), C(2d) or a number of seconds.
      - At most 7 days.
    type: str
    default: 8h
  max_duration:
    description: The longest O(duration) a policy allows; a longer one fails.
    type: str
  extend:
    description:
      - Record the new lease even when an active one exists - the same ticket and roles (a new expiry), or another
        ticket or other roles. The current lease goes to the history as V(extended) or V(replaced).
      - Without it, an active lease with the same ticket and roles is left as it is, and one with another ticket or
        other roles makes the module fail before anything is written.
    type: bool
    default: false
    aliases: [renew]
  closed_reason:
    description: Why the lease was closed (O(state=closed)).
    type: str
    default: ""
  name:
    description: The lease ConfigMap's name (a Kubernetes object name, RFC 1123 subdomain).
    type: str
    default: neocloud-support-access-lease
  namespace:
    description: The lease ConfigMap's namespace (a Kubernetes namespace name, RFC 1123 label).
    type: str
    default: kube-system
notes:
  - Needs C(get), C(create) and C(update) on ConfigMaps in O(namespace).
  - Updates carry the ConfigMap's C(resourceVersion); a concurrent change fails instead of being overwritten.
seealso:
  - module: neocloud.support_access.support_rbac_info
"""

EXAMPLES = r"""
- name: Record an 8 hour lease for a ticket
  neocloud.support_access.support_lease:
    context: training-prod
    ticket: ZD-1234
    reason: CMK Node Not Ready on gpu-17
    roles: [readonly, operator]
    provider: crusoe
    cluster_name: training-prod

- name: Close the lease after revoking access
  neocloud.support_access.support_lease:
    context: training-prod
    state: closed
    closed_reason: access revoked

- name: Read the lease
  neocloud.support_access.support_lease:
    context: training-prod
    state: query
  register: lease

- name: Expired?
  ansible.builtin.debug:
    msg: "lease {{ lease.status }}, {{ lease.expires_in_seconds }} s left"
"""

RETURN = r"""
cluster:
  description: The cluster the module talked to (the context, else the host).
  returned: always
  type: str
  sample: training-prod
lease:
  description: The lease after the run (in check mode, as it would be); null when there is none.
  returned: success
  type: dict
  contains:
    provider:
      description: The cloud provider.
      type: str
    cluster:
      description: The cluster's name at the provider.
      type: str
    ticket:
      description: The support ticket.
      type: str
    reason:
      description: Why support got access.
      type: str
    requested_by:
      description: Who asked for it.
      type: str
    roles:
      description: The support roles.
      type: list
      elements: str
    enabled_at:
      description: When the lease started (RFC 3339).
      type: str
    expires_at:
      description: When it ends (RFC 3339).
      type: str
    state:
      description: C(active) or C(closed) as stored.
      type: str
    closed_at:
      description: When it was closed.
      type: str
    closed_by:
      description: Who closed it.
      type: str
    closed_reason:
      description: Why it was closed.
      type: str
    history:
      description:
        - The earlier leases, newest first (at most 50), each with the fields above and C(ended) - how it ended
          (V(closed), V(expired), V(extended) or V(replaced)).
      type: list
      elements: dict
status:
  description: C(none), C(active), C(expired) (active but past C(expires_at)) or C(closed).
  returned: success
  type: str
  sample: active
expires_in_seconds:
  description: Seconds until an active lease ends; 0 when it has expired or is closed; null without a lease.
  returned: success
  type: int
msg:
  description: What was done.
  returned: success
  type: str
"""

import datetime
import getpass
import re

from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import K8sClusterError, SupportK8sModule
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils._objects import is_dns_label

DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _current_user():
    try:
        return getpass.getuser()
    except Exception:  # pylint: disable=broad-except
        return ""


class SupportLease(SupportK8sModule):
    """Read, record or close the lease ConfigMap of one cluster."""

    def path(self, with_name=True):
        base = "/api/v1/namespaces/%s/configmaps" % self.params["namespace"]
        return "%s/%s" % (base, self.params["name"]) if with_name else base

    def run(self):
        """Validate, read the lease, act on it, exit."""
        params = self.params
        now = _now()
        self.validate_names()
        if params["state"] == "active":
            self.validate_active()
        try:
            configmap = self.request("GET", self.path(), "reading lease ConfigMap %s/%s" % (params["namespace"], params["name"]),
                                     ok_statuses=(404,))
        except K8sClusterError as err:
            self.fail_error(err)
            return
        if isinstance(configmap, dict) and configmap.get("kind") == "Status":
            configmap = None
        try:
            current = _lease.from_configmap(configmap)
        except _lease.LeaseError as exc:
            self.fail("%s; refusing to use or overwrite it (option name=%s, namespace=%s)"
                      % (exc, params["name"], params["namespace"]))
            return
        status = _lease.lease_status(current, now)
        if params["state"] == "query":
            self.finish(False, current, current, now, "lease %s" % status)
        elif params["state"] == "closed":
            if status in ("none", "closed"):
                self.finish(False, current, current, now, "no open lease to close (lease %s)" % status)
                return
            closed = _lease.close_lease(current, params["requested_by"] or _current_user(), params["closed_reason"], now)
            self.write(configmap, closed)
            self.finish(True, current, closed, now, "lease closed (was %s)" % status)
        else:
            self.record(configmap, current, status, now)

    def record(self, configmap, current, status, now):
        """state=active: keep the same live lease, refuse another one unless extend=true, else record it with the
        lease it follows at the head of its history."""
        params = self.params
        roles = sorted(set(params["roles"] or []))
        if status == "active":
            same = current.get("ticket") == (params["ticket"] or "") and sorted(set(current.get("roles") or [])) == roles
            if same and not params["extend"]:
                self.finish(False, current, current, now, "an active lease for this ticket and these roles exists "
                            "until %s; extend=true extends it" % current.get("expires_at"))
                return
            if not params["extend"]:
                self.fail("an active lease exists (%s): a new lease does not silently replace it; set extend=true to "
                          "extend or change it (the current one is kept in the lease history), or close it first; "
                          "nothing was changed" % _lease.describe(current), lease=current)
        lease = _lease.new_lease(params["provider"], params["cluster_name"], params["ticket"] or "", params["reason"],
                                 params["requested_by"] or _current_user(), roles, params["duration"], now)
        lease = _lease.succeed(current, lease, now)
        self.write(configmap, lease)
        verb = lease["history"][0]["ended"] if status == "active" else "recorded"
        self.finish(True, current, lease, now, "lease %s until %s" % (verb, lease["expires_at"]))

    def validate_names(self):
        """Fail before any request when name or namespace cannot name a ConfigMap."""
        if not is_dns_label(self.params["namespace"] or ""):
            self.fail("invalid option namespace: %r is not a Kubernetes namespace name (lower-case letters, digits "
                      "and '-', at most 63 characters)" % self.params["namespace"])
        name = self.params["name"] or ""
        if len(name) > 253 or not DNS_SUBDOMAIN_RE.match(name):
            self.fail("invalid option name: %r is not a Kubernetes object name (lower-case letters, digits, '-' and "
                      "'.', at most 253 characters)" % name)

    def validate_active(self):
        """Fail before any request when the options for an active lease are unusable."""
        params = self.params
        try:
            _lease.validate_active(params["ticket"], params["require_ticket"], params["duration"], params["max_duration"])
        except _lease.LeaseError as exc:
            self.fail("invalid option %s" % exc)

    def write(self, configmap, lease):
        """Create or update the lease ConfigMap (nothing in check mode)."""
        if self.check_mode:
            return
        body = _lease.configmap_for(lease, name=self.params["name"], namespace=self.params["namespace"])
        what = "writing lease ConfigMap %s/%s" % (self.params["namespace"], self.params["name"])
        try:
            if configmap:
                meta = configmap.get("metadata") or {}
                body["metadata"]["resourceVersion"] = meta.get("resourceVersion")
                labels = dict(meta.get("labels") or {})
                labels.update(body["metadata"]["labels"])
                body["metadata"]["labels"] = labels
                if meta.get("annotations"):
                    body["metadata"]["annotations"] = meta["annotations"]
                self.request("PUT", self.path(), what, body=body)
            else:
                self.request("POST", self.path(with_name=False), what, body=body)
        except K8sClusterError as err:
            if err.status == 409:
                self.fail("%s; the lease changed or appeared while this run read it, run again" % err.text(),
                          status=err.status)
            self.fail_error(err)

    def finish(self, changed, before, after, now, msg):
        status = _lease.lease_status(after, now)
        expires_in = None
        if after:
            expires_in = 0
            if status == "active":
                expires_in = max(0, int((_lease.parse_time(after["expires_at"]) - now).total_seconds()))
        result = {"changed": changed, "lease": after, "status": status, "expires_in_seconds": expires_in, "msg": msg}
        if self.diff_mode and self.params["state"] != "query":
            result["diff"] = {"before": before or {}, "after": after or {}}
        self.exit(**result)


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["active", "closed", "query"], default="active"),
        ticket=dict(type="str"),
        require_ticket=dict(type="bool", default=True),
        reason=dict(type="str", default=""),
        requested_by=dict(type="str"),
        roles=dict(type="list", elements="str", default=[]),
        provider=dict(type="str", default=""),
        cluster_name=dict(type="str", default=""),
        duration=dict(type="str", default=_lease.DEFAULT_DURATION),
        max_duration=dict(type="str"),
        extend=dict(type="bool", default=False, aliases=["renew"]),
        closed_reason=dict(type="str", default=""),
        name=dict(type="str", default=_lease.LEASE_NAME),
        namespace=dict(type="str", default=_lease.LEASE_NAMESPACE),
    )
    SupportLease(argument_spec, supports_check_mode=True).run()


if __name__ == "__main__":
    main()
