# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What kubelet, the scheduler and the controller manager would do, done synchronously after every write.

Pods become Running and Ready, workloads create their pods (Deployment -> ReplicaSet -> Pods, all with
ownerReferences) and report ready status, Jobs complete, the garbage collector follows ownerReferences
(Background, Foreground, Orphan), namespaces being deleted are emptied and then removed, and every new namespace
gets its "default" ServiceAccount. Controller writes go straight to the store (no request, no log).
"""

import copy
import hashlib
import json

from sim.kube.store import new_uid, now_rfc3339

PODS = ("", "pods")
DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
STATEFULSETS = ("apps", "statefulsets")
DAEMONSETS = ("apps", "daemonsets")
JOBS = ("batch", "jobs")
NAMESPACES = ("", "namespaces")
NODES = ("", "nodes")
SERVICEACCOUNTS = ("", "serviceaccounts")


class Controllers:
    """Runs the reconcile loops of one cluster; called with the store lock held."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self.running = False
        self.ip_counter = 10

    # helpers -------------------------------------------------------------------------------------------------
    def _put(self, rkey, obj, old=None):
        self.store.put(rkey, obj, old)

    def _create(self, rkey, obj):
        meta = obj["metadata"]
        meta.setdefault("uid", new_uid())
        meta.setdefault("creationTimestamp", now_rfc3339())
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

    # entry ---------------------------------------------------------------------------------------------------
    def reconcile(self):
        if self.running:
            return
        self.running = True
        try:
            for _round in range(30):
                changed = False
                for step in (self._namespaces, self._gc, self._deployments, self._replicasets, self._statefulsets,
                             self._daemonsets, self._jobs, self._pods, self._workload_status):
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
    def _pod_from_template(self, owner, api_version, kind, name, extra_labels=None, node=None):
        template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels.update(extra_labels or {})
        meta = {"name": name, "namespace": owner["metadata"]["namespace"], "labels": labels,
                "ownerReferences": [self._owner_ref(owner, api_version, kind)]}
        if tmeta.get("annotations"):
            meta["annotations"] = tmeta["annotations"]
        spec = template.get("spec") or {"containers": []}
        spec.setdefault("restartPolicy", "Always")
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("schedulerName", "default-scheduler")
        if node:
            spec["nodeName"] = node
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
               "status": {"phase": "Pending", "qosClass": "BestEffort"}}
        return self._create(PODS, pod)

    @staticmethod
    def _template_hash(obj):
        raw = json.dumps((obj.get("spec") or {}).get("template") or {}, sort_keys=True).encode()
        digest = hashlib.sha256(raw).hexdigest()
        return "".join(c for c in digest if c in "bcdfghjklmnpqrstvwxz2456789")[:10] or digest[:10]

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

    def _scale_pods(self, owner, rkey_owner, api_version, kind, names_for, labels_for=None, node_for=None):
        changed = False
        owned = [p for p in self._owned(PODS, owner) if not p["metadata"].get("deletionTimestamp")]
        wanted = names_for(owned)
        have = {p["metadata"]["name"]: p for p in owned}
        for name in wanted:
            if name not in have:
                self._pod_from_template(owner, api_version, kind, name, labels_for(name) if labels_for else None,
                                        node_for(name) if node_for else None)
                changed = True
        for name, pod in have.items():
            if name not in wanted:
                self._delete(PODS, pod)
                changed = True
        del rkey_owner
        return changed

    def _replicasets(self):
        changed = False
        for rs in self.store.items(REPLICASETS):
            if rs["metadata"].get("deletionTimestamp"):
                continue
            n = (rs.get("spec") or {}).get("replicas", 1)

            def names(owned, rs=rs, n=n):
                keep = sorted(p["metadata"]["name"] for p in owned)[:n]
                while len(keep) < n:
                    keep.append("%s-%s" % (rs["metadata"]["name"], new_uid()[:5]))
                return keep
            changed = self._scale_pods(rs, REPLICASETS, "apps/v1", "ReplicaSet", names) or changed
        return changed

    def _statefulsets(self):
        changed = False
        for sts in self.store.items(STATEFULSETS):
            if sts["metadata"].get("deletionTimestamp"):
                continue
            n = (sts.get("spec") or {}).get("replicas", 1)
            base = sts["metadata"]["name"]
            rev = "%s-%s" % (base, self._template_hash(sts))
            changed = self._scale_pods(
                sts, STATEFULSETS, "apps/v1", "StatefulSet",
                lambda owned, base=base, n=n: ["%s-%d" % (base, i) for i in range(n)],
                lambda name, rev=rev: {"statefulset.kubernetes.io/pod-name": name, "controller-revision-hash": rev,
                                       "apps.kubernetes.io/pod-index": name.rsplit("-", 1)[1]}) or changed
        return changed

    def _daemonsets(self):
        changed = False
        nodes = self._node_names()
        for ds in self.store.items(DAEMONSETS):
            if ds["metadata"].get("deletionTimestamp"):
                continue
            base = ds["metadata"]["name"]
            mapping = {}

            def names(owned, base=base, mapping=mapping):  # pylint: disable=dangerous-default-value
                by_node = {p["spec"].get("nodeName"): p["metadata"]["name"] for p in owned}
                out = []
                for node in nodes:
                    name = by_node.get(node) or "%s-%s" % (base, new_uid()[:5])
                    mapping[name] = node
                    out.append(name)
                return out
            changed = self._scale_pods(ds, DAEMONSETS, "apps/v1", "DaemonSet", names,
                                       node_for=lambda name, mapping=mapping: mapping.get(name)) or changed
        return changed

    def _jobs(self):
        changed = False
        for job in self.store.items(JOBS):
            meta = job["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            spec = job.get("spec") or {}
            if "selector" not in spec:
                new = copy.deepcopy(job)
                uid_labels = {"batch.kubernetes.io/controller-uid": meta["uid"], "controller-uid": meta["uid"],
                              "batch.kubernetes.io/job-name": meta["name"], "job-name": meta["name"]}
                new["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": meta["uid"]}}
                new["spec"].setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {}).update(uid_labels)
                new["spec"].setdefault("completions", 1)
                new["spec"].setdefault("parallelism", 1)
                new["spec"].setdefault("backoffLimit", 6)
                self._put(JOBS, new, job)
                changed = True
                continue
            if any(c.get("type") == "Complete" for c in (job.get("status") or {}).get("conditions") or []):
                continue
            completions = spec.get("completions", 1)
            owned = self._owned(PODS, job)
            if len(owned) < completions:
                for _pod in range(completions - len(owned)):
                    self._pod_from_template(job, "batch/v1", "Job", "%s-%s" % (meta["name"], new_uid()[:5]))
                changed = True
                continue
            if all((p.get("status") or {}).get("phase") == "Succeeded" for p in owned):
                now = now_rfc3339()
                status = {"startTime": (job.get("status") or {}).get("startTime") or now, "completionTime": now,
                          "succeeded": len(owned), "active": 0, "ready": 0, "terminating": 0,
                          "uncountedTerminatedPods": {},
                          "conditions": [
                              {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                               "message": "Reached expected number of succeeded pods",
                               "lastProbeTime": now, "lastTransitionTime": now},
                              {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                               "message": "Reached expected number of succeeded pods",
                               "lastProbeTime": now, "lastTransitionTime": now}]}
                changed = self._set_status(JOBS, job, status) or changed
        return changed

    # pods ----------------------------------------------------------------------------------------------------
    def _pods(self):
        changed = False
        nodes = self._node_names()
        for pod in self.store.items(PODS):
            status = pod.get("status") or {}
            if pod["metadata"].get("deletionTimestamp") or status.get("phase") not in (None, "", "Pending"):
                continue
            ns = self.store.get(NAMESPACES, "", pod["metadata"].get("namespace"))
            if ns is None or ns["metadata"].get("deletionTimestamp"):
                continue
            new = copy.deepcopy(pod)
            spec = new.setdefault("spec", {})
            spec.setdefault("nodeName", nodes[0])
            self.ip_counter += 1
            now = now_rfc3339()
            pod_ip = "10.244.%d.%d" % (self.ip_counter // 250 % 250, self.ip_counter % 250 + 2)
            host_ip = "10.0.0.%d" % (10 + (nodes.index(spec["nodeName"]) if spec["nodeName"] in nodes else 0))
            job_owned = any(r.get("kind") == "Job" for r in pod["metadata"].get("ownerReferences") or [])
            containers = spec.get("containers") or []
            if job_owned:
                cstatus = [{"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": False,
                            "started": False, "restartCount": 0, "containerID": "containerd://" + new_uid().replace("-", ""),
                            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now,
                                                     "finishedAt": now}}} for c in containers]
                conds = [("PodReadyToStartContainers", "False"), ("Initialized", "True"), ("Ready", "False"),
                         ("ContainersReady", "False"), ("PodScheduled", "True")]
                phase = "Succeeded"
            else:
                cstatus = [{"name": c.get("name"), "image": c.get("image"), "imageID": "sha256:" + "0" * 64,
                            "ready": True, "started": True, "restartCount": 0,
                            "containerID": "containerd://" + new_uid().replace("-", ""),
                            "state": {"running": {"startedAt": now}}} for c in containers]
                conds = [("PodReadyToStartContainers", "True"), ("Initialized", "True"), ("Ready", "True"),
                         ("ContainersReady", "True"), ("PodScheduled", "True")]
                phase = "Running"
            new["status"] = {
                "phase": phase, "conditions": [{"type": t, "status": s, "lastProbeTime": None, "lastTransitionTime": now}
                                               for t, s in conds],
                "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
                "startTime": now, "containerStatuses": cstatus, "qosClass": status.get("qosClass", "BestEffort")}
            self._put(PODS, new, pod)
            changed = True
        return changed

    @staticmethod
    def _ready(pod):
        return any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (pod.get("status") or {}).get("conditions") or [])

    def _workload_status(self):
        changed = False
        for rs in self.store.items(REPLICASETS):
            pods = [p for p in self._owned(PODS, rs) if not p["metadata"].get("deletionTimestamp")]
            ready = sum(1 for p in pods if self._ready(p))
            status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
                      "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
            changed = self._set_status(REPLICASETS, rs, status) or changed
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
