# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What kubelet, the scheduler and the controller manager would do, done synchronously after every write.

Pods become Running and Ready, workloads create their pods (Deployment -> ReplicaSet -> Pods, all with
ownerReferences) and report ready status, Jobs complete, the garbage collector follows ownerReferences
(Background, Foreground, Orphan), namespaces being deleted are emptied and then removed, and every new namespace
gets its "default" ServiceAccount. Controller writes go straight to the store (no request, no log).
"""

import base64
import copy
import hashlib
import json

from sim.kube import defaults
from sim.kube.store import NAME_ALPHABET, name_suffix, new_uid, now_rfc3339

PODS = ("", "pods")
DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
STATEFULSETS = ("apps", "statefulsets")
DAEMONSETS = ("apps", "daemonsets")
JOBS = ("batch", "jobs")
CRONJOBS = ("batch", "cronjobs")
REPLICATIONCONTROLLERS = ("", "replicationcontrollers")
CSRS = ("certificates.k8s.io", "certificatesigningrequests")
BUILTIN_SIGNERS = ("kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
                   "kubernetes.io/kubelet-serving")
NAMESPACES = ("", "namespaces")
NODES = ("", "nodes")
SERVICEACCOUNTS = ("", "serviceaccounts")


DAEMONSET_TOLERATIONS = (("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
                         ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                         ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                         ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                         ("node.kubernetes.io/unschedulable", "NoSchedule"))


def tolerates(toleration, taint):
    """v1.Toleration.ToleratesTaint."""
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return toleration.get("operator") in (None, "", "Equal") and toleration.get("value", "") == taint.get("value", "")


def _conditions(types, reason, message, now):
    """True Job conditions of these types."""
    return [{"type": t, "status": "True", "reason": reason, "message": message, "lastProbeTime": now,
             "lastTransitionTime": now} for t in types]


class Controllers:
    """Runs the reconcile loops of one cluster; called with the store lock held."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self.running = False
        self.ip_counter = 10
        self.job_pods_complete = True   # False: a Job's pods run until finish_pod()
        self._job_pods = {}             # job uid -> {pod uid: last phase seen} (the controller's own tracking)

    # helpers -------------------------------------------------------------------------------------------------
    def _put(self, rkey, obj, old=None):
        self.store.put(rkey, obj, old)

    def _create(self, rkey, obj):
        """Store a new object as the API would: defaulted, with uid, creationTimestamp and generation."""
        meta = obj["metadata"]
        meta.setdefault("uid", new_uid())
        meta.setdefault("creationTimestamp", now_rfc3339())
        defaults.apply(rkey, obj)
        if rkey == PODS:
            obj["status"] = {"phase": "Pending", "qosClass": defaults.qos_class(obj)}
        elif rkey == JOBS:
            defaults.job_selector(obj)
        if "spec" in obj:
            meta.setdefault("generation", 1)
        self.store.put(rkey, obj)
        return obj

    def _delete(self, rkey, obj):
        """Delete like the garbage collector: honour finalizers, else remove now."""
        meta = obj["metadata"]
        if meta.get("finalizers"):
            if meta.get("deletionTimestamp"):
                return False
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            self.store.put(rkey, new, obj)
            return True
        self.store.remove(rkey, meta.get("namespace"), meta["name"])
        return True

    def _set_status(self, rkey, obj, status, extra_meta=None):
        if obj.get("status") == status and not extra_meta:
            return False
        new = copy.deepcopy(obj)
        new["status"] = status
        if extra_meta:
            new["metadata"].update(extra_meta)
        self.store.put(rkey, new, obj)
        return True

    def _owned(self, rkey, owner):
        uid = owner["metadata"]["uid"]
        return [o for o in self.store.items(rkey, owner["metadata"].get("namespace"))
                if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or [])]

    @staticmethod
    def _owner_ref(owner, api_version, kind):
        return {"apiVersion": api_version, "kind": kind, "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}

    def _node_names(self):
        return [n["metadata"]["name"] for n in self.store.items(NODES)] or ["node-1"]

    def _schedulable_nodes(self, pod_spec):
        """The nodes a pod with this spec fits (nodeSelector and NoSchedule/NoExecute taints; no resources)."""
        out = []
        for node in self.store.items(NODES):
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
                continue
            taints = [t for t in (node.get("spec") or {}).get("taints") or []
                      if t.get("effect") in ("NoSchedule", "NoExecute")]
            if (node.get("spec") or {}).get("unschedulable"):
                taints.append({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
            if all(any(tolerates(t, taint) for t in pod_spec.get("tolerations") or []) for taint in taints):
                out.append(node["metadata"]["name"])
        return out

    # entry ---------------------------------------------------------------------------------------------------
    def reconcile(self):
        if self.running:
            return
        self.running = True
        try:
            for _round in range(30):
                changed = False
                for step in (self._namespaces, self._gc, self._deployments, self._replicasets, self._statefulsets,
                             self._daemonsets, self._cronjobs, self._jobs, self._pods, self._workload_status,
                             self._certificates):
                    changed = step() or changed
                if not changed:
                    break
        finally:
            self.running = False

    # namespaces ----------------------------------------------------------------------------------------------
    def _namespaces(self):
        changed = False
        for ns in self.store.items(NAMESPACES):
            name = ns["metadata"]["name"]
            if not ns["metadata"].get("deletionTimestamp"):
                if self.store.get(SERVICEACCOUNTS, name, "default") is None:
                    self._create(SERVICEACCOUNTS, {"apiVersion": "v1", "kind": "ServiceAccount",
                                                   "metadata": {"name": "default", "namespace": name}})
                    changed = True
                continue
            remaining = 0
            for rkey, objs in list(self.store.objects.items()):
                if rkey == NAMESPACES:
                    continue
                for key, obj in list(objs.items()):
                    if key[0] != name:
                        continue
                    remaining += 1
                    changed = self._delete(rkey, obj) or changed
            if remaining and any(k[0] == name for objs in self.store.objects.values() for k in objs
                                 if objs is not self.store.objects.get(NAMESPACES)):
                continue
            spec_fin = [f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != "kubernetes"]
            if ns["metadata"].get("finalizers") or spec_fin:
                if (ns.get("spec") or {}).get("finalizers") != spec_fin:
                    new = copy.deepcopy(ns)
                    new.setdefault("spec", {})["finalizers"] = spec_fin
                    self._put(NAMESPACES, new, ns)
                    changed = True
                continue
            self.store.remove(NAMESPACES, "", name)
            changed = True
        return changed

    # garbage collector ---------------------------------------------------------------------------------------
    def _gc(self):
        changed = False
        everything = self.store.all_items()
        by_uid = {o["metadata"].get("uid"): o for _rk, o in everything}
        dependents = {}
        for rkey, obj in everything:
            refs = obj["metadata"].get("ownerReferences") or []
            if not refs:
                continue
            for r in refs:
                dependents.setdefault(r.get("uid"), []).append((rkey, obj))
            live, gone, orphaned = [], 0, 0
            for r in refs:
                owner = by_uid.get(r.get("uid"))
                if owner is None:
                    gone += 1
                elif owner["metadata"].get("deletionTimestamp") and "orphan" in (owner["metadata"].get("finalizers") or []):
                    orphaned += 1
                else:
                    live.append((r, owner))
            if not live and gone and not orphaned:
                changed = self._delete(rkey, obj) or changed
                continue
            if any(o["metadata"].get("deletionTimestamp") and "foregroundDeletion" in (o["metadata"].get("finalizers") or [])
                   for _ref, o in live):
                if not obj["metadata"].get("deletionTimestamp"):
                    if rkey in (DEPLOYMENTS, REPLICASETS, STATEFULSETS, DAEMONSETS, JOBS):
                        fins = list(obj["metadata"].get("finalizers") or []) + ["foregroundDeletion"]
                        new = copy.deepcopy(obj)
                        new["metadata"]["finalizers"] = fins
                        new["metadata"]["deletionTimestamp"] = now_rfc3339()
                        self._put(rkey, new, obj)
                    else:
                        self._delete(rkey, obj)
                    changed = True
                continue
            if len(live) < len(refs):
                new = copy.deepcopy(obj)
                new["metadata"]["ownerReferences"] = [r for r, _owner in live]
                if not live:
                    del new["metadata"]["ownerReferences"]
                self._put(rkey, new, obj)
                changed = True
        for rkey, obj in everything:
            meta = obj["metadata"]
            if not meta.get("deletionTimestamp"):
                continue
            current = self.store.get(rkey, meta.get("namespace"), meta["name"])
            if current is None or current["metadata"].get("uid") != meta.get("uid"):
                continue
            fins = list(current["metadata"].get("finalizers") or [])
            deps = [d for d in dependents.get(meta.get("uid"), [])
                    if self.store.get(d[0], d[1]["metadata"].get("namespace"), d[1]["metadata"]["name"]) is not None]
            keep = [f for f in fins if not (f in ("foregroundDeletion", "orphan") and not deps)]
            if "orphan" in keep:
                for drk, dep in deps:
                    new = copy.deepcopy(self.store.get(drk, dep["metadata"].get("namespace"), dep["metadata"]["name"]))
                    new["metadata"]["ownerReferences"] = [r for r in new["metadata"].get("ownerReferences") or []
                                                          if r.get("uid") != meta.get("uid")]
                    if not new["metadata"]["ownerReferences"]:
                        del new["metadata"]["ownerReferences"]
                    self._put(drk, new)
                keep.remove("orphan")
            if keep != fins:
                changed = True
                if keep or rkey == NAMESPACES:
                    new = copy.deepcopy(current)
                    new["metadata"]["finalizers"] = keep
                    if not keep:
                        del new["metadata"]["finalizers"]
                    self._put(rkey, new, current)
                else:
                    self.store.remove(rkey, meta.get("namespace"), meta["name"])
        return changed

    # workloads -----------------------------------------------------------------------------------------------
    def _pod_from_template(self, owner, api_version, kind, name, extra_labels=None, node=None, extra_spec=None):
        template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels.update(extra_labels or {})
        meta = {"name": name, "namespace": owner["metadata"]["namespace"], "labels": labels,
                "ownerReferences": [self._owner_ref(owner, api_version, kind)]}
        if tmeta.get("annotations"):
            meta["annotations"] = tmeta["annotations"]
        spec = template.get("spec") or {"containers": []}
        for key, value in (extra_spec or {}).items():
            spec[key] = value
        if node:
            spec["nodeName"] = node
        return self._create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})

    @staticmethod
    def _template_hash(obj):
        raw = json.dumps((obj.get("spec") or {}).get("template") or {}, sort_keys=True).encode()
        digest = hashlib.sha256(raw).hexdigest()
        return "".join(c for c in digest if c in NAME_ALPHABET)[:10] or digest[:10]

    def _deployments(self):
        changed = False
        for dep in self.store.items(DEPLOYMENTS):
            if dep["metadata"].get("deletionTimestamp"):
                continue
            spec = dep.get("spec") or {}
            h = self._template_hash(dep)
            rs_name = "%s-%s" % (dep["metadata"]["name"], h)
            owned = self._owned(REPLICASETS, dep)
            revision = str(len(owned) + (0 if any(r["metadata"]["name"] == rs_name for r in owned) else 1))
            for rs in owned:
                if rs["metadata"]["name"] != rs_name and (rs.get("spec") or {}).get("replicas", 0) != 0:
                    new = copy.deepcopy(rs)
                    new["spec"]["replicas"] = 0
                    new["metadata"]["generation"] = rs["metadata"].get("generation", 1) + 1
                    self._put(REPLICASETS, new, rs)
                    changed = True
            current = self.store.get(REPLICASETS, dep["metadata"]["namespace"], rs_name)
            replicas = spec.get("replicas", 1)
            if current is None:
                template = copy.deepcopy(spec.get("template") or {})
                template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
                selector = copy.deepcopy(spec.get("selector") or {})
                selector.setdefault("matchLabels", {})["pod-template-hash"] = h
                labels = dict(template["metadata"]["labels"])
                self._create(REPLICASETS, {
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": rs_name, "namespace": dep["metadata"]["namespace"], "labels": labels,
                                 "generation": 1,
                                 "annotations": {"deployment.kubernetes.io/revision": revision,
                                                 "deployment.kubernetes.io/desired-replicas": str(replicas)},
                                 "ownerReferences": [self._owner_ref(dep, "apps/v1", "Deployment")]},
                    "spec": {"replicas": replicas, "selector": selector, "template": template}})
                changed = True
            elif (current.get("spec") or {}).get("replicas") != replicas:
                new = copy.deepcopy(current)
                new["spec"]["replicas"] = replicas
                new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
                self._put(REPLICASETS, new, current)
                changed = True
        return changed

    def _live_pods(self, owner):
        return [p for p in self._owned(PODS, owner) if not p["metadata"].get("deletionTimestamp")]

    def _scale_pods(self, owner, api_version, kind, wanted, owned):
        """Create the pods of `wanted` ({name: (extra labels, node, extra spec)}) that are missing from `owned`, and
        delete the owned ones it does not name. A deleted pod comes back under the name the caller gives it."""
        changed = False
        have = {p["metadata"]["name"]: p for p in owned}
        for name, (labels, node, spec) in wanted.items():
            if name not in have:
                self._pod_from_template(owner, api_version, kind, name, labels, node, spec)
                changed = True
        for name, pod in have.items():
            if name not in wanted:
                self._delete(PODS, pod)
                changed = True
        return changed

    def _replicasets(self):
        changed = False
        for rkey, api_version, kind in ((REPLICASETS, "apps/v1", "ReplicaSet"),
                                        (REPLICATIONCONTROLLERS, "v1", "ReplicationController")):
            for rs in self.store.items(rkey):
                if rs["metadata"].get("deletionTimestamp") or (rs.get("spec") or {}).get("template") is None:
                    continue
                n = (rs.get("spec") or {}).get("replicas", 1)
                owned = self._live_pods(rs)
                keep = sorted(p["metadata"]["name"] for p in owned)[:n]
                keep += ["%s-%s" % (rs["metadata"]["name"], name_suffix()) for _pod in range(n - len(keep))]
                changed = self._scale_pods(rs, api_version, kind, {name: (None, None, None) for name in keep},
                                           owned) or changed
        return changed

    def _statefulsets(self):
        changed = False
        for sts in self.store.items(STATEFULSETS):
            if sts["metadata"].get("deletionTimestamp"):
                continue
            base = sts["metadata"]["name"]
            rev = "%s-%s" % (base, self._template_hash(sts))
            wanted = {}
            for index in range((sts.get("spec") or {}).get("replicas", 1)):
                name = "%s-%d" % (base, index)
                wanted[name] = ({"statefulset.kubernetes.io/pod-name": name, "controller-revision-hash": rev,
                                 "apps.kubernetes.io/pod-index": str(index)}, None, None)
            changed = self._scale_pods(sts, "apps/v1", "StatefulSet", wanted, self._live_pods(sts)) or changed
        return changed

    def _daemonsets(self):
        """One pod per node the template fits (nodeSelector, taints), with the tolerations the DaemonSet controller
        adds and a required node affinity for its node; a deleted pod is replaced under a new name."""
        changed = False
        for ds in self.store.items(DAEMONSETS):
            if ds["metadata"].get("deletionTimestamp"):
                continue
            tspec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
            tolerations = list(tspec.get("tolerations") or [])
            for key, effect in DAEMONSET_TOLERATIONS + ((("node.kubernetes.io/network-unavailable", "NoSchedule"),)
                                                        if tspec.get("hostNetwork") else ()):
                if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
                    tolerations.append({"key": key, "operator": "Exists", "effect": effect})
            labels = {"controller-revision-hash": self._template_hash(ds),
                      "pod-template-generation": str(ds["metadata"].get("generation", 1))}
            owned = self._live_pods(ds)
            by_node = {p["spec"].get("nodeName"): p["metadata"]["name"] for p in owned}
            wanted = {}
            for node in self._schedulable_nodes(dict(tspec, tolerations=tolerations)):
                term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
                affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [term]}}}
                name = by_node.get(node) or "%s-%s" % (ds["metadata"]["name"], name_suffix())
                wanted[name] = (labels, node, {"tolerations": tolerations, "affinity": affinity})
            changed = self._scale_pods(ds, "apps/v1", "DaemonSet", wanted, owned) or changed
        return changed

    # jobs ----------------------------------------------------------------------------------------------------
    def _jobs(self):
        """The Job controller: keeps `parallelism` pods running until `completions` succeeded; a pod that fails or
        is deleted before it succeeded counts as failed (podReplacementPolicy TerminatingOrFailed) and is replaced
        while failed <= backoffLimit (no backoff delay); past it the Job fails (BackoffLimitExceeded)."""
        changed = False
        jobs = self.store.items(JOBS)
        for uid in set(self._job_pods) - {j["metadata"]["uid"] for j in jobs}:
            del self._job_pods[uid]
        for job in jobs:
            meta = job["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            spec = job.get("spec") or {}
            status = copy.deepcopy(job.get("status") or {})
            conditions = status.get("conditions") or []
            if any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in conditions):
                continue
            if spec.get("suspend"):
                continue
            owned = [p for p in self._owned(PODS, job) if not p["metadata"].get("deletionTimestamp")]
            tracked = self._job_pods.setdefault(meta["uid"], {})
            succeeded, failed = status.get("succeeded", 0), status.get("failed", 0)
            present = {p["metadata"]["uid"]: p for p in owned}
            for uid, phase in list(tracked.items()):
                if uid not in present:
                    del tracked[uid]
                    if phase not in ("Succeeded", "Failed"):
                        failed += 1    # deleted before it ended: counted as failed
            for uid, pod in present.items():
                phase = (pod.get("status") or {}).get("phase")
                if tracked.get(uid) != phase and phase in ("Succeeded", "Failed"):
                    if phase == "Succeeded":
                        succeeded += 1
                    else:
                        failed += 1
                tracked[uid] = phase
            active = [p for p in owned if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
            now = now_rfc3339()
            status.setdefault("startTime", now)
            completions = spec.get("completions")
            done = succeeded >= completions if completions is not None else succeeded > 0 and not active
            if failed > spec.get("backoffLimit", 6):
                for pod in active:
                    self._delete(PODS, pod)
                status["conditions"] = _conditions(("FailureTarget", "Failed"), "BackoffLimitExceeded",
                                                   "Job has reached the specified backoff limit", now)
                active = []
            elif done:
                status["completionTime"] = now
                status["conditions"] = _conditions(("SuccessCriteriaMet", "Complete"), "CompletionsReached",
                                                   "Reached expected number of succeeded pods", now)
            else:
                want = spec.get("parallelism", 1)
                if completions is not None:
                    want = min(want, completions - succeeded)
                for _pod in range(max(0, want - len(active))):
                    pod = self._pod_from_template(job, "batch/v1", "Job", "%s-%s" % (meta["name"], name_suffix()))
                    tracked[pod["metadata"]["uid"]] = "Pending"
                    active.append(pod)
            status.update({"active": len(active), "succeeded": succeeded, "failed": failed, "terminating": 0,
                           "ready": sum(1 for p in active if self._ready(p)), "uncountedTerminatedPods": {}})
            for key in ("active", "succeeded", "failed"):
                if not status[key]:
                    del status[key]
            changed = self._set_status(JOBS, job, status) or changed
        return changed

    def _cronjobs(self):
        """The CronJob controller between schedules: finished Jobs leave status.active, the history limits hold.
        Schedules themselves fire only through trigger_cronjob()."""
        changed = False
        for cj in self.store.items(CRONJOBS):
            if cj["metadata"].get("deletionTimestamp"):
                continue
            spec = cj.get("spec") or {}
            jobs = sorted(self._owned(JOBS, cj), key=lambda j: j["metadata"].get("creationTimestamp", ""))
            finished = {"Complete": [], "Failed": []}
            for job in jobs:
                for cond in (job.get("status") or {}).get("conditions") or []:
                    if cond.get("type") in finished and cond.get("status") == "True":
                        finished[cond["type"]].append(job)
            done = {j["metadata"]["uid"] for group in finished.values() for j in group}
            for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit", 3)),
                                ("Failed", spec.get("failedJobsHistoryLimit", 1))):
                for job in finished[kind][:max(0, len(finished[kind]) - limit)]:
                    self._delete(JOBS, job)
            status = copy.deepcopy(cj.get("status") or {})
            active = [ref for ref in status.get("active") or []
                      if ref.get("uid") not in done and any(j["metadata"]["uid"] == ref.get("uid") for j in jobs)]
            if finished["Complete"]:
                status["lastSuccessfulTime"] = max(((j.get("status") or {}).get("completionTime") or "")
                                                   for j in finished["Complete"]) or status.get("lastSuccessfulTime")
            if active:
                status["active"] = active
            else:
                status.pop("active", None)
            changed = self._set_status(CRONJOBS, cj, status) or changed
        return changed

    def trigger_cronjob(self, cj, when):
        """The schedule of CronJob cj fired at datetime when: the Job it creates (or None: suspended, or
        concurrencyPolicy Forbid with a Job still active; Replace deletes the active ones first)."""
        spec = cj.get("spec") or {}
        meta = cj["metadata"]
        if spec.get("suspend"):
            return None
        active = [j for j in self._owned(JOBS, cj) if not any(
            c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
            for c in (j.get("status") or {}).get("conditions") or [])]
        policy = spec.get("concurrencyPolicy", "Allow")
        if active and policy == "Forbid":
            return None
        if policy == "Replace":
            for job in active:
                self._delete(JOBS, job)
        template = copy.deepcopy(spec.get("jobTemplate") or {})
        tmeta = template.get("metadata") or {}
        scheduled = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        name = "%s-%d" % (meta["name"], int(when.timestamp()) // 60)
        if self.store.get(JOBS, meta["namespace"], name) is not None:
            return None
        annotations = dict(tmeta.get("annotations") or {})
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = scheduled
        job_meta = {"name": name, "namespace": meta["namespace"], "annotations": annotations,
                    "ownerReferences": [self._owner_ref(cj, "batch/v1", "CronJob")]}
        if tmeta.get("labels"):
            job_meta["labels"] = dict(tmeta["labels"])
        job = self._create(JOBS, {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta,
                                  "spec": template.get("spec") or {}})
        status = copy.deepcopy(cj.get("status") or {})
        status.setdefault("active", []).append({"apiVersion": "batch/v1", "kind": "Job", "name": name,
                                                "namespace": meta["namespace"], "uid": job["metadata"]["uid"],
                                                "resourceVersion": job["metadata"]["resourceVersion"]})
        status["lastScheduleTime"] = scheduled
        self._set_status(CRONJOBS, self.store.get(CRONJOBS, meta["namespace"], meta["name"]), status)
        self.reconcile()
        return self.store.get(JOBS, meta["namespace"], name)

    # pods ----------------------------------------------------------------------------------------------------
    def _pods(self):
        """Scheduler and kubelet: a Pending pod is bound to the first node it fits and starts (a Job's pod runs to
        completion at once unless job_pods_complete is False); running pods get a status for every ephemeral
        container added to them."""
        changed = False
        nodes = self._node_names()
        for pod in self.store.items(PODS):
            status = pod.get("status") or {}
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if status.get("phase") == "Running":
                changed = self._ephemeral_statuses(pod) or changed
                continue
            if status.get("phase") not in (None, "", "Pending"):
                continue
            ns = self.store.get(NAMESPACES, "", pod["metadata"].get("namespace"))
            if ns is None or ns["metadata"].get("deletionTimestamp"):
                continue
            new = copy.deepcopy(pod)
            spec = new.setdefault("spec", {})
            fits = [spec["nodeName"]] if spec.get("nodeName") else self._schedulable_nodes(spec)
            now = now_rfc3339()
            if not fits:
                message = ("0/%d nodes are available: %d node(s) had untolerated taint(s) or didn't match Pod's node "
                           "affinity/selector." % (len(nodes), len(nodes)))
                unschedulable = {"phase": "Pending", "qosClass": status.get("qosClass", "BestEffort"), "conditions": [{
                    "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastProbeTime": None,
                    "lastTransitionTime": now, "message": message}]}
                if status.get("conditions") is None:
                    changed = self._set_status(PODS, pod, unschedulable) or changed
                continue
            spec["nodeName"] = fits[0]
            self.ip_counter += 1
            pod_ip = "10.244.%d.%d" % (self.ip_counter // 250 % 250, self.ip_counter % 250 + 2)
            host_ip = "10.0.0.%d" % (10 + (nodes.index(spec["nodeName"]) if spec["nodeName"] in nodes else 0))
            if spec.get("hostNetwork"):
                pod_ip = host_ip
            new["status"] = {"phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": pod_ip,
                             "podIPs": [{"ip": pod_ip}], "startTime": now,
                             "qosClass": status.get("qosClass", "BestEffort")}
            if any(r.get("kind") == "Job" for r in pod["metadata"].get("ownerReferences") or []) \
                    and self.job_pods_complete:
                self._terminate(new, 0, now)
            else:
                self._running(new, now)
            self._put(PODS, new, pod)
            changed = True
        return changed

    @staticmethod
    def _conditions(ready, now):
        return [{"type": t, "status": s, "lastProbeTime": None, "lastTransitionTime": now}
                for t, s in (("PodReadyToStartContainers", "True" if ready else "False"), ("Initialized", "True"),
                             ("Ready", "True" if ready else "False"), ("ContainersReady", "True" if ready else "False"),
                             ("PodScheduled", "True"))]

    @staticmethod
    def _container_status(c, state, ready, restarts=0):
        return {"name": c.get("name"), "image": c.get("image"), "imageID": "sha256:" + "0" * 64, "ready": ready,
                "started": ready, "restartCount": restarts, "state": state,
                "containerID": "containerd://" + new_uid().replace("-", "")}

    def _running(self, pod, now):
        pod["status"]["phase"] = "Running"
        pod["status"]["conditions"] = self._conditions(True, now)
        pod["status"]["containerStatuses"] = [self._container_status(c, {"running": {"startedAt": now}}, True)
                                              for c in pod["spec"].get("containers") or []]

    def _terminate(self, pod, exit_code, now):
        """kubelet when the containers of a pod exit with exit_code: the pod ends (restartPolicy Never, or exit 0 with
        OnFailure) or the containers restart."""
        policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
        if policy == "Always" or (policy == "OnFailure" and exit_code):
            for cs in pod["status"].get("containerStatuses") or []:
                cs["restartCount"] = cs.get("restartCount", 0) + 1
                cs["lastState"] = {"terminated": {"exitCode": exit_code, "reason": "Error" if exit_code else "Completed",
                                                  "startedAt": now, "finishedAt": now}}
            return
        pod["status"]["phase"] = "Failed" if exit_code else "Succeeded"
        pod["status"]["conditions"] = self._conditions(False, now)
        terminated = {"terminated": {"exitCode": exit_code, "reason": "Error" if exit_code else "Completed",
                                     "startedAt": now, "finishedAt": now}}
        pod["status"]["containerStatuses"] = [dict(self._container_status(c, terminated, False), started=False)
                                              for c in pod["spec"].get("containers") or []]

    def finish_pod(self, pod, exit_code=0):
        """The containers of a running pod exit (a test's stand-in for the workload ending)."""
        new = copy.deepcopy(pod)
        self._terminate(new, exit_code, now_rfc3339())
        self._put(PODS, new, pod)
        self.reconcile()
        return new

    def _ephemeral_statuses(self, pod):
        have = {cs.get("name") for cs in (pod.get("status") or {}).get("ephemeralContainerStatuses") or []}
        missing = [c for c in (pod.get("spec") or {}).get("ephemeralContainers") or [] if c.get("name") not in have]
        if not missing:
            return False
        new = copy.deepcopy(pod)
        now = now_rfc3339()
        new["status"].setdefault("ephemeralContainerStatuses", []).extend(
            dict(self._container_status(c, {"running": {"startedAt": now}}, False), lastState={}) for c in missing)
        for cs in new["status"]["ephemeralContainerStatuses"]:
            cs.pop("started", None)   # kubelet reports neither started nor readiness for ephemeral containers
        self._put(PODS, new, pod)
        return True

    def _certificates(self):
        """kube-controller-manager's signer: an approved CSR of a built-in signer gets its certificate (a stand-in
        PEM that names the request, not a real X.509 certificate)."""
        changed = False
        for csr in self.store.items(CSRS):
            status = csr.get("status") or {}
            types = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
            if status.get("certificate") or "Approved" not in types or types & {"Denied", "Failed"}:
                continue
            if (csr.get("spec") or {}).get("signerName") not in BUILTIN_SIGNERS:
                continue
            body = base64.b64encode(json.dumps({"emulated": True, "csr": csr["metadata"]["name"],
                                                "uid": csr["metadata"]["uid"]}).encode()).decode()
            pem = "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % body
            changed = self._set_status(CSRS, csr, dict(status, certificate=base64.b64encode(pem.encode()).decode())) \
                or changed
        return changed

    @staticmethod
    def _ready(pod):
        return any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (pod.get("status") or {}).get("conditions") or [])

    def _workload_status(self):
        changed = False
        for rkey in (REPLICASETS, REPLICATIONCONTROLLERS):
            for rs in self.store.items(rkey):
                pods = [p for p in self._owned(PODS, rs) if not p["metadata"].get("deletionTimestamp")]
                ready = sum(1 for p in pods if self._ready(p))
                status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
                          "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
                changed = self._set_status(rkey, rs, status) or changed
        for dep in self.store.items(DEPLOYMENTS):
            if dep["metadata"].get("deletionTimestamp"):
                continue
            h = self._template_hash(dep)
            rs_all = self._owned(REPLICASETS, dep)
            new_rs = [r for r in rs_all if r["metadata"]["name"].endswith("-" + h)]
            total = sum((r.get("status") or {}).get("replicas", 0) for r in rs_all)
            updated = sum((r.get("status") or {}).get("replicas", 0) for r in new_rs)
            ready = sum((r.get("status") or {}).get("readyReplicas", 0) for r in rs_all)
            replicas = (dep.get("spec") or {}).get("replicas", 1)
            old_status = dep.get("status") or {}
            old_conds = {c["type"]: c for c in old_status.get("conditions") or []}
            now = now_rfc3339()
            avail = ready >= replicas
            conds = [
                {"type": "Available", "status": "True" if avail else "False",
                 "reason": "MinimumReplicasAvailable" if avail else "MinimumReplicasUnavailable",
                 "message": "Deployment has minimum availability." if avail else "Deployment does not have minimum availability.",
                 "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": 'ReplicaSet "%s-%s" has successfully progressed.' % (dep["metadata"]["name"], h),
                 "lastUpdateTime": now, "lastTransitionTime": now}]
            for c in conds:
                prev = old_conds.get(c["type"])
                if prev and all(prev.get(k) == c[k] for k in ("status", "reason", "message")):
                    c["lastUpdateTime"] = prev.get("lastUpdateTime", now)
                    c["lastTransitionTime"] = prev.get("lastTransitionTime", now)
            status = {"observedGeneration": dep["metadata"].get("generation", 1), "replicas": total,
                      "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready,
                      "conditions": conds}
            if total - ready:
                status["unavailableReplicas"] = total - ready
            revision = None
            if new_rs:
                revision = new_rs[0]["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision")
            extra = None
            annotations = dep["metadata"].get("annotations") or {}
            if revision and annotations.get("deployment.kubernetes.io/revision") != revision:
                extra = {"annotations": dict(annotations, **{"deployment.kubernetes.io/revision": revision})}
            changed = self._set_status(DEPLOYMENTS, dep, status, extra) or changed
        for sts in self.store.items(STATEFULSETS):
            pods = [p for p in self._owned(PODS, sts) if not p["metadata"].get("deletionTimestamp")]
            ready = sum(1 for p in pods if self._ready(p))
            rev = "%s-%s" % (sts["metadata"]["name"], self._template_hash(sts))
            status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(pods),
                      "readyReplicas": ready, "currentReplicas": len(pods), "updatedReplicas": len(pods),
                      "availableReplicas": ready, "currentRevision": rev, "updateRevision": rev, "collisionCount": 0}
            changed = self._set_status(STATEFULSETS, sts, status) or changed
        for ds in self.store.items(DAEMONSETS):
            pods = [p for p in self._owned(PODS, ds) if not p["metadata"].get("deletionTimestamp")]
            ready = sum(1 for p in pods if self._ready(p))
            status = {"observedGeneration": ds["metadata"].get("generation", 1),
                      "desiredNumberScheduled": len(self._node_names()), "currentNumberScheduled": len(pods),
                      "updatedNumberScheduled": len(pods), "numberReady": ready, "numberAvailable": ready,
                      "numberMisscheduled": 0}
            changed = self._set_status(DAEMONSETS, ds, status) or changed
        return changed
