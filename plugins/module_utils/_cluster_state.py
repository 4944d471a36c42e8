# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster-state engine: one cluster's whole support-access state, read in one process, as the fleet report's
cluster report (schema 1, docs/report.md) with its findings, verdict and what is still open.

What it reads, in order (each step a section of the report; a step that fails leaves its section null, names
itself in ``error`` and, when the cluster cannot be reached at all, marks the report unreachable):

- the provider API: Crusoe support settings and active requests (or the CoreWeave CKS cluster and, when asked,
  Telemetry Relay's audit-log forwarding);
- the control-plane firewall rule (Crusoe; read only);
- support RBAC: every binding of a support subject, support ClusterRole or chart label, with what it grants, the
  chart-labelled objects and SubjectAccessReview probes;
- the support chart's Helm release, from Helm's own storage (no helm binary);
- diagnostic pods (node shells, debug pods);
- the lease;
- optionally real requests impersonating each support group (the revoke's independent proof: each must be
  refused with 403), and the support activity in audit logs.

No AnsibleModule here: the module support_cluster_info and its action plugin (which runs it inside the
controller's worker process) wrap it. This is a private module_utils file of neocloud.support_access; its interface
may change at any time.
"""

from __future__ import annotations

import copy
import datetime

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity
from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave
from ansible_collections.neocloud.support_access.plugins.module_utils import _helm_storage
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _report
from ansible_collections.neocloud.support_access.plugins.module_utils import _support
from ansible_collections.neocloud.support_access.plugins.module_utils import _workloads
from ansible_collections.neocloud.support_access.plugins.module_utils._coreweave_audit import (
    AUDIT_STREAM_NAME,
    activity_section,
    coreweave_section,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import CrusoeApi, client_from_params, settings_view
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_firewall import (
    admitting_sources,
    open_to_all,
    support_firewall_view,
)
from ansible_collections.neocloud.support_access.plugins.module_utils import _kube
from ansible_collections.neocloud.support_access.plugins.module_utils._kube import K8sClusterError, K8sConfigError, KubeClient
from ansible_collections.neocloud.support_access.plugins.module_utils._pods import (
    VERDICT_CONFIRMED,
    VERDICT_SUSPICIOUS,
    classify_pod,
    normalize_patterns,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._rbac import (
    READ_ONLY_DEFAULT_ROLES,
    analyze_bindings,
    chart_labels,
    class_probes,
    labelled_objects,
    normalize_probes,
    normalize_subjects,
    probe_result,
    probe_spec,
    rbac_summary,
    subject_access_review,
    subject_spec,
)

PROVIDERS = ("crusoe", "coreweave")
RBAC = "/apis/rbac.authorization.k8s.io/v1/"
FLOWCONTROL = "/apis/flowcontrol.apiserver.k8s.io/v1/"
SAR_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
# Report keys the Crusoe settings' requests are renamed to (the report speaks of role, ticket, reason).
REQUEST_KEYS = {"access_role": "role", "ticket_ref": "ticket", "support_reason": "reason"}

# The engine's names of options the module calls otherwise (the module speaks of requests made as a group; the
# engine impersonates). DEFAULTS (below argument_spec) is derived from the module's argument_spec.
ENGINE_NAMES = {"request_as_groups": "impersonate_groups", "request_as_user": "impersonate_user",
                "request_namespace": "impersonate_namespace"}


class StepError(Exception):
    """A step of the read failed; ``unreachable`` when the cluster or API could not be reached at all."""

    def __init__(self, step, message, unreachable=False):
        self.step = step
        self.unreachable = unreachable
        super().__init__("step '%s' failed: %s" % (step, message))


def _requests_view(requests):
    """Crusoe's active requests with the report's key names (role, ticket, reason); ``ticket`` is "" when the
    request names none."""
    result = []
    for request in requests or []:
        item = dict((REQUEST_KEYS.get(key, key), value) for key, value in request.items())
        item["ticket"] = str(item.get("ticket") or "")
        result.append(item)
    return result


class ClusterReader:
    """Read one cluster. ``options``: DEFAULTS keys; ``kube_params``: kubernetes.core connection options;
    ``crusoe`` / ``coreweave``: callables returning the provider API object (CrusoeApi / CoreWeaveApi), called only
    when the provider API is read, so missing credentials fail that step alone."""

    def __init__(self, options, kube_params, crusoe=None, coreweave=None, now=None, kube_client=KubeClient,
                 check_mode=False):
        self.options = dict(DEFAULTS)
        self.options.update(dict((k, v) for k, v in (options or {}).items() if v is not None))
        self.kube_params = kube_params or {}
        self._crusoe = crusoe
        self._coreweave = coreweave
        self._kube_client = kube_client
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.kube = None
        self.secrets = set()
        self.errors = []
        self.kube_failed = False  # the name of the failed Kubernetes step: the later ones are not tried
        self.unread = {}  # section -> why it was not read (the report's ``unread``)
        self.check_mode = check_mode
        self.probes = []
        self._crusoe_cluster = None
        self._workload_objects = ([], [])  # the pods and (kind, plural, controller) read by the pods step

    # -- the steps
    def _provider_api(self, report):
        opts = self.options
        if opts["provider"] == "crusoe":
            api = self._crusoe()
            cluster = api.find_cluster(opts["cluster"])
            report["cluster_id"] = cluster.get("id") or report["cluster_id"]
            if not report["project"]:
                report["project"] = api.project.get("name") or api.project["id"]
            settings = settings_view(api.client.get(api.cluster_path(cluster["id"]) + "/support/settings"))
            report["api"] = {"access_enabled": settings["access_enabled"], "roles": settings["enabled_roles"],
                             "active_requests": _requests_view(settings["active_requests"])}
            self._crusoe_cluster = (api, cluster)
        else:
            api = self._coreweave()
            cluster = api.get_cluster(opts["cluster"])
            if cluster is None:
                raise ValueError("the CoreWeave API has no CKS cluster with id %s" % opts["cluster"])
            telemetry = api.telemetry_state(opts["audit_stream_name"]) if opts["read_telemetry"] else None
            report["coreweave"] = coreweave_section(cluster, telemetry, opts["audit_stream_name"])

    def _firewall(self, report):
        api, cluster = self._crusoe_cluster
        view = support_firewall_view(api.support_rule(cluster, self.options["firewall_rule"] or None))
        report["firewall"] = {"rule": view["rule"], "restricted": not open_to_all(view["sources"]),
                              "support_source_present": view["support_source_present"],
                              "admitted_by": admitting_sources(view["sources"])}

    def _connect(self):
        if self.kube is None:
            self.kube = self._kube_client(self.kube_params)
            self.secrets.update(self.kube.secrets)
        return self.kube

    def _rbac(self, report):
        opts = self.options
        kube = self._connect()
        subjects = self._support_subjects()
        if opts["probes"] is None and opts["probe_every_class"]:
            probes = normalize_probes(class_probes(subjects), subjects)
        else:
            probes = normalize_probes(opts["probes"], subjects)
        labels = chart_labels(opts["chart_release"])
        objects = {}
        for kind, plural in (("ClusterRole", "clusterroles"), ("ClusterRoleBinding", "clusterrolebindings"),
                             ("Role", "roles"), ("RoleBinding", "rolebindings")):
            objects[kind] = kube.list_all(RBAC + plural, "listing %s" % plural, kind=kind)
        for kind, plural in (("FlowSchema", "flowschemas"), ("PriorityLevelConfiguration", "prioritylevelconfigurations")):
            try:
                objects[kind] = kube.list_all(FLOWCONTROL + plural, "listing %s" % plural, kind=kind)
            except K8sClusterError as err:
                if err.status != 404:
                    raise
                objects[kind] = []
        support_roles = _support.COREWEAVE_SUPPORT_CLUSTER_ROLES if opts["provider"] == "coreweave" else ()
        bindings = analyze_bindings(objects["ClusterRole"], objects["ClusterRoleBinding"], objects["Role"],
                                    objects["RoleBinding"], subjects=subjects, support_cluster_roles=support_roles,
                                    labels=labels, read_only_roles=opts["read_only_roles"],
                                    look_alikes=self._policy()["support_subject_patterns"])
        labelled = labelled_objects(objects, labels)
        results = []
        for probe in probes:
            review = kube.request("POST", SAR_PATH, "SubjectAccessReview probe %r" % probe["name"],
                                  body=subject_access_review(probe))
            results.append(probe_result(probe, review))
        self.probes = results
        summary = rbac_summary(bindings, labelled, results)
        report["rbac"] = {"bindings": bindings, "labelled_objects": len(labelled), "capabilities": summary["capabilities"],
                          "probes_allowed": summary["probes_allowed"], "probes_total": summary["probes_total"]}
        if labelled:
            report["rbac"]["labelled"] = ["%s/%s" % (o["kind"], "/".join(p for p in (o["namespace"], o["name"]) if p))
                                          for o in labelled]
        allowed = [p["name"] for p in results if p["allowed"]]
        if allowed:
            report["rbac"]["probes_allowed_names"] = allowed

    def _policy(self):
        """The merged policy (its defaults when none was given), with the provider's look-alike patterns."""
        policy = self.options["policy"]
        policy = policy if isinstance(policy, dict) and "max_lease_seconds" in policy else _report.merge_policy(policy)
        return _report.provider_policy(policy, self.options["provider"])

    def _support_subjects(self):
        """The subjects scanned as support's: the module's (default: the provider's groups) and the policy's."""
        subjects = normalize_subjects(self.options["subjects"])
        for spec in normalize_subjects(self._policy()["support_subjects"]):
            if spec not in subjects:
                subjects.append(spec)
        return subjects

    def _chart(self, report):
        opts = self.options
        secrets = self._connect().list_all(_helm_storage.list_path(opts["chart_namespace"]),
                                           "listing Helm's release records in %s" % opts["chart_namespace"],
                                           label_selector=_helm_storage.label_selector(opts["chart_release"]), kind="Secret")
        state = _helm_storage.release_state(secrets, opts["chart_release"])
        report["chart"] = {"installed": state["installed"], "version": state["version"] if state["installed"] else "",
                           "release": opts["chart_release"], "namespace": opts["chart_namespace"]}
        if state["installed"] and state["status"] != "deployed":
            report["chart"]["status"] = state["status"]

    def _pods(self, report):
        kube = self._connect()
        pods = kube.list_all("/api/v1/pods", "listing pods in all namespaces", kind="Pod")
        controllers = [(kind, plural, obj) for group, version, kind, plural in _workloads.CONTROLLERS
                       for obj in kube.list_all("/apis/%s/%s/%s" % (group, version, plural),
                                                "listing %s in all namespaces" % plural, kind=kind)]
        self._workload_objects = (pods, controllers)
        self._pods_section(report)

    def _pods_section(self, report):
        """The pods section from the pods and controllers read: classified, and what a support identity created (the
        activity section, when the audit logs were read) marked as support's."""
        opts = self.options
        allow = normalize_patterns(opts["pods_allow"], "pods_allow")
        deny = normalize_patterns(opts["pods_deny"], "pods_deny")
        pods, controllers = self._workload_objects
        created = _workloads.support_created((report.get("activity") or {}).get("created"))
        entries = []
        for pod in pods:
            entry = classify_pod(pod, allow=allow, deny=deny)
            user = _workloads.created_by(created, "pods", pod)
            entries.append(_workloads.mark_created_pod(entry, user) if user else entry)
        entries.sort(key=lambda e: (e["namespace"] or "", e["name"] or ""))
        workloads = []
        for kind, plural, obj in controllers:
            entry = _workloads.classify_workload(obj, kind, allow=allow, deny=deny,
                                                 created_by=_workloads.created_by(created, plural, obj))
            if entry and entry["verdict"]:
                workloads.append(entry)
        debugged = [entry for entry in (_workloads.debugged_pod(pod) for pod in pods) if entry]
        report["pods"] = {"confirmed": [e for e in entries if e["verdict"] == VERDICT_CONFIRMED],
                          "suspicious": [e for e in entries if e["verdict"] == VERDICT_SUSPICIOUS],
                          "workloads": sorted(workloads, key=lambda e: (e["namespace"] or "", e["kind"], e["name"] or "")),
                          "debugged": sorted(debugged, key=lambda e: (e["namespace"] or "", e["name"] or ""))}

    def _lease(self, report):
        configmap = self._connect().request(
            "GET", "/api/v1/namespaces/%s/configmaps/%s" % (_lease.LEASE_NAMESPACE, _lease.LEASE_NAME),
            "reading lease ConfigMap %s/%s" % (_lease.LEASE_NAMESPACE, _lease.LEASE_NAME), ok_statuses=(404,))
        if isinstance(configmap, dict) and configmap.get("kind") == "Status":
            configmap = None
        lease = _lease.from_configmap(configmap)
        report["lease"] = dict(lease or {}, status=_lease.lease_status(lease, self.now))

    def _impersonated_requests(self, report):
        opts = self.options
        checks = []
        for group in opts["impersonate_groups"]:
            client = self._connect().impersonating(opts["impersonate_user"], [group])
            path = "/api/v1/namespaces/%s/pods" % opts["impersonate_namespace"]
            try:
                client.request("GET", path, "listing pods in %s as group %s" % (opts["impersonate_namespace"], group))
                checks.append({"group": group, "refused": False, "status": 200, "message": "allowed"})
            except K8sClusterError as err:
                if err.status is None:
                    raise
                checks.append({"group": group, "refused": err.status == 403, "status": err.status,
                               "message": err.message or ""})
        report["rbac"]["requests"] = checks

    def _activity(self, report):
        opts = self.options
        lease = dict(report.get("lease") or {})
        lease.pop("status", None)
        cluster = opts["activity_cluster"] or report["cluster"]
        result = _activity.analyze(list(opts["activity_logs"]), cluster=cluster, approvers=opts["activity_approvers"],
                                   support_users=opts["activity_support_users"], impersonators=opts["activity_impersonators"],
                                   leases=[lease] if lease else [])
        report["activity"] = activity_section(result, cluster)

    def read_sections(self, sections):
        """Only the named sections - ``api`` (the provider API) and ``lease`` - for a check before a change: a bare
        report with them (None when unread); the failed steps are in ``errors``."""
        provider = "Crusoe" if self.options["provider"] == "crusoe" else "CoreWeave"
        steps = {"api": ("read the %s API" % provider, self._provider_api, False),
                 "lease": ("read the lease", self._lease, True)}
        report = {"api": None, "lease": None, "cluster_id": str(self.options["cluster"]), "project": ""}
        for section in sections:
            step, func, kube = steps[section]
            self._step(step, func, report, kube=kube, sections=(section,))
        return report

    # -- the read
    def _step(self, name, func, report, kube=True, sections=()):
        """Run one step; a failure is recorded (and makes the cluster unreachable when nothing answered), and the
        report ``sections`` it fills are recorded as unread, with why.

        After a failed Kubernetes step the later ones are not tried: the cluster already said no (or nothing), and
        each step would spend its own retry budget on the same answer."""
        if kube and self.kube_failed:
            self._not_read(sections, "not tried after step '%s' failed" % self.kube_failed)
            return False
        try:
            func(report)
            return True
        except K8sClusterError as err:
            unreachable = err.status is None
            message = "cluster '%s': %s" % (self.kube.cluster if self.kube else self.options["name"], err.text())
        except K8sConfigError as err:
            unreachable, message = False, str(err)
        except Exception as err:  # pylint: disable=broad-except
            # provider API errors (CrusoeError, CoreWeaveError), bad options (ValueError) and the like
            message = str(err)
            unreachable = bool(_kube.UNREACHABLE.search(message)) and not isinstance(err, (ValueError, TypeError))
        self.errors.append(StepError(name, message, unreachable))
        self._not_read(sections, str(self.errors[-1]))
        if kube:
            self.kube_failed = name
        return False

    def _not_read(self, sections, why):
        for section in sections:
            self.unread.setdefault(section, why)

    def read(self):
        """The cluster report: sections, findings and verdict (``_report.apply_policy``), plus ``open`` (what still
        gives support a way in) in the returned dict {report, open, probes}."""
        opts = self.options
        if opts["provider"] not in PROVIDERS:
            raise ValueError("provider must be one of %s, got %r" % (", ".join(PROVIDERS), opts["provider"]))
        if not str(opts["cluster"] or "").strip():
            raise ValueError("cluster is required (the provider's cluster id or name; inventory variable support_access_cluster)")
        report = {"schema": _report.SCHEMA, "cluster": opts["name"] or opts["cluster"], "provider": opts["provider"],
                  "project": opts["project_name"] or "", "cluster_id": str(opts["cluster"]), "playbook": opts["playbook"],
                  "checked_at": _lease.format_time(self.now), "check_mode": bool(self.check_mode), "reachable": True, "api": None, "chart": None, "rbac": None,
                  "pods": None, "firewall": None, "lease": None, "coreweave": None, "activity": None,
                  "not_applicable": list(_report.NOT_APPLICABLE.get(opts["provider"], ())),
                  "actions": list(opts["actions"] or [])}
        crusoe = opts["provider"] == "crusoe"
        api_read = False
        api_section = "api" if crusoe else "coreweave"
        if opts["read_api"]:
            api_read = self._step("read the %s API" % ("Crusoe" if crusoe else "CoreWeave"), self._provider_api, report,
                                  kube=False, sections=(api_section,))
        else:
            self._not_read((api_section,), "not read: read_api is false")
        if crusoe and opts["read_firewall"]:
            if api_read:
                self._step("read the control-plane firewall rule", self._firewall, report, kube=False, sections=("firewall",))
            else:
                self._not_read(("firewall",), "not tried: the rule is found through the Crusoe API, which was not read")
        rbac_read = self._step("scan the support RBAC", self._rbac, report, sections=("rbac",))
        if crusoe:
            self._step("read the support chart's Helm release", self._chart, report, sections=("chart",))
        self._step("look for diagnostic pods", self._pods, report, sections=("pods",))
        self._step("read the lease", self._lease, report, sections=("lease",))
        if opts["activity_logs"]:
            self._step("read the support activity in the audit logs", self._activity, report, kube=False,
                       sections=("activity",))
            if report.get("activity") and report.get("pods") is not None:
                self._pods_section(report)  # what a support identity created is support's
        if rbac_read and opts["impersonate_groups"]:
            self._step("make requests as each support group", self._impersonated_requests, report)
        report["unread"] = dict(self.unread)
        report["reachable"] = not any(e.unreachable for e in self.errors)
        report["error"] = "; ".join([e for e in [str(opts["error"] or "").strip()] if e] + [str(e) for e in self.errors])
        # a dry run (check mode) changed nothing: its revoke verdicts say what a revoke would do (would_revoke, ...)
        final = _report.apply_policy(report, opts["policy"], self.now)
        return {"report": final, "open": _report.open_items(final, opts["policy"], self.now), "probes": self.probes,
                "failed_steps": [str(e) for e in self.errors]}


def argument_spec():
    """The engine's options (module support_cluster_info adds kubernetes.core's connection options)."""
    subject = subject_spec()
    probe = probe_spec()
    crusoe = dict(api_endpoint=dict(type="str"), access_key_id=dict(type="str"), secret_key=dict(type="str", no_log=True),
                  client_id=dict(type="str"), client_secret=dict(type="str", no_log=True),
                  token_url=dict(type="str", no_log=False), profile=dict(type="str"), config_file=dict(type="path", default="~/.crusoe/config"),
                  api_timeout=dict(type="int", default=30), api_retries=dict(type="int", default=5),
                  validate_certs=dict(type="bool", default=True))
    coreweave = dict(api_token=dict(type="str", no_log=True), api_endpoint=dict(type="str"), api_timeout=dict(type="int"),
                     api_retries=dict(type="int", default=5), validate_certs=dict(type="bool", default=True))
    return dict(
        provider=dict(type="str", choices=list(PROVIDERS), default="crusoe"),
        cluster=dict(type="str", required=True),
        name=dict(type="str"),
        project=dict(type="str"),
        project_name=dict(type="str"),
        firewall_rule=dict(type="str"),
        read_api=dict(type="bool", default=True),
        read_firewall=dict(type="bool", default=True),
        read_telemetry=dict(type="bool", default=True),
        audit_stream_name=dict(type="str", default=AUDIT_STREAM_NAME),
        chart_release=dict(type="str", default=_support.CRUSOE_CHART_RELEASE),
        chart_namespace=dict(type="str", default=_support.CRUSOE_CHART_NAMESPACE),
        subjects=dict(type="list", elements="dict", options=subject),
        probes=dict(type="list", elements="dict", options=probe),
        probe_every_class=dict(type="bool", default=False),
        read_only_roles=dict(type="list", elements="str", default=list(READ_ONLY_DEFAULT_ROLES)),
        pods_allow=dict(type="list", elements="str", default=[]),
        pods_deny=dict(type="list", elements="str", default=[]),
        request_as_groups=dict(type="list", elements="str", default=[]),
        request_as_user=dict(type="str", default="neocloud-support-revoke-probe"),
        request_namespace=dict(type="str", default="kube-system"),
        activity_logs=dict(type="list", elements="path", default=[]),
        activity_cluster=dict(type="str"),
        activity_approvers=dict(type="list", elements="str", default=[]),
        activity_support_users=dict(type="list", elements="str", default=[]),
        activity_impersonators=dict(type="list", elements="str", default=[]),
        playbook=dict(type="str", choices=list(_report.PLAYBOOKS), default="audit"),
        actions=dict(type="list", elements="str", default=[]),
        error=dict(type="str", default=""),
        policy=dict(type="dict"),
        crusoe=dict(type="dict", default={}, options=crusoe),
        coreweave=dict(type="dict", default={}, options=coreweave),
    )


def _defaults():
    """The engine's options and their defaults, from argument_spec(): a text option without a default is ""."""
    result = {}
    for name, spec in argument_spec().items():
        if name in ("crusoe", "coreweave"):
            continue
        default = spec.get("default")
        if default is None and spec.get("type") == "str":
            default = ""
        result[ENGINE_NAMES.get(name, name)] = copy.deepcopy(default)
    return result


DEFAULTS = _defaults()


def _crusoe_api(params, secrets):
    """A factory of the CrusoeApi for the options (credentials resolved when the API is read; the secret key, from
    wherever it came, joins ``secrets``)."""
    def factory():
        options = dict(params.get("crusoe") or {})
        options["project"] = params.get("project") or None
        config, client = client_from_params(options)
        secrets.update(v for v in (config.get("secret_key"), config.get("client_secret")) if v)
        return CrusoeApi(client, config)
    return factory


def _coreweave_api(params, secrets):
    """A factory of the CoreWeaveApi for the options (the token, from wherever it came, joins ``secrets``)."""
    def factory():
        config = _coreweave.resolve_config(dict(params.get("coreweave") or {}))
        secrets.update(v for v in (config.get("api_token"),) if v)
        return _coreweave.CoreWeaveApi(_coreweave.client_from_params(dict(params.get("coreweave") or {}), config))
    return factory


def reader_for(params, options, secrets, kube_client=KubeClient, now=None, check_mode=False):
    """A ClusterReader for module-style ``params`` (the connection and provider options) and engine ``options``; the
    provider's credentials join ``secrets`` when they are read."""
    return ClusterReader(options, params, crusoe=_crusoe_api(params, secrets), coreweave=_coreweave_api(params, secrets),
                         now=now, kube_client=kube_client, check_mode=check_mode)


def run(params, kube_client=KubeClient, now=None, check_mode=False):
    """Read one cluster with module-style ``params`` (argument_spec() plus the kubernetes.core connection options).

    Returns (result, secrets): the module result ({changed, report, open, probes, failed_steps}, or {failed, msg}
    for bad options) and the credential values that must be masked in it.
    """
    options = dict((key, params.get(key)) for key in DEFAULTS if key in params)
    options.update({"impersonate_groups": params.get("request_as_groups") or [],
                    "impersonate_user": params.get("request_as_user") or DEFAULTS["impersonate_user"],
                    "impersonate_namespace": params.get("request_namespace") or DEFAULTS["impersonate_namespace"],
                    "name": params.get("name") or params.get("cluster")})
    secrets = set()
    reader = reader_for(params, options, secrets, kube_client=kube_client, now=now, check_mode=check_mode)
    try:
        if options.get("policy") is not None:
            reader.options["policy"] = _report.merge_policy(options["policy"])
        # bad subjects, probes or patterns fail the task before anything is read
        normalize_probes(reader.options["probes"], normalize_subjects(reader.options["subjects"]))
        normalize_patterns(reader.options["pods_allow"], "pods_allow")
        normalize_patterns(reader.options["pods_deny"], "pods_deny")
        result = reader.read()
    except (ValueError, _report.ReportError) as exc:
        return {"failed": True, "changed": False,
                "msg": "cluster '%s': invalid option: %s" % (options["name"], exc)}, reader.secrets | secrets
    result["changed"] = False
    return result, reader.secrets | secrets
