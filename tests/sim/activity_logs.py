# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Log generator for support_activity: realistic Kubernetes audit and Teleport audit lines with planted events.

``generate(directory, size_bytes=None, lines=None, planted=True, seed=1, compress=False)`` writes
``teleport-audit.jsonl`` and ``kube-audit.jsonl`` (``kube-audit.jsonl.gz`` with compress=True) and returns a manifest:
the files, the module options that go with them (cluster, approvers, revoked_at) and the exact findings the planted
events produce, as sorted [code, user, count] lists. Background traffic (nodes, controllers, customer users through
Teleport, support reads inside the approved window) produces no finding.

Run standalone: PYTHONPATH=tests python -m sim.activity_logs DIR [--size-mb N | --lines N] [--gzip]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import random

T0 = datetime.datetime(2026, 3, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
CLUSTER = "cks-prod"
APPROVER = "ops-lead@customer.example"
ROGUE_APPROVER = "mallory@customer.example"
TELEPORT_AGENT = "system:serviceaccount:teleport-agent:teleport-kube-agent"
ALICE, BOB, CAROL, DAVE = ("alice@coreweave.com", "bob@coreweave.com", "carol@coreweave.com", "dave@coreweave.com")
EVE = "crusoe-support-eve"
VIEWERS, ADMINS = "teleport-cluster-viewers", "teleport-cluster-super-admins"
REVOKED_AT = T0 + datetime.timedelta(hours=20)
# alice's request R1: approved 10 minutes after T0 for 8 hours.
R1_APPROVED = T0 + datetime.timedelta(minutes=10)
R1_EXPIRES = R1_APPROVED + datetime.timedelta(hours=8)
SCENARIOS = ("window", "denial", "revocation", "approvals", "expired", "malformed")
DAY_SECONDS = 24 * 3600


def ts(moment):
    """RFC 3339 with microseconds and Z, as kube-apiserver writes them."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


def k8s_event(moment, verb, username, groups, resource, namespace="", name="", subresource="", api_group="", code=200,
              impersonated=None, stage="ResponseComplete", audit_id="", user_agent="kubectl/v1.34.1 (linux/amd64)"):
    """One audit.k8s.io/v1 Event (a dict). ``impersonated`` (username, groups) makes Teleport's agent the caller."""
    path = "/api/v1/" if not api_group else "/apis/%s/v1/" % api_group
    if namespace:
        path += "namespaces/%s/" % namespace
    path += resource + ("/" + name if name else "") + ("/" + subresource if subresource else "")
    ref = {"resource": resource, "apiVersion": "v1"}
    if namespace:
        ref["namespace"] = namespace
    if name:
        ref["name"] = name
    if subresource:
        ref["subresource"] = subresource
    if api_group:
        ref["apiGroup"] = api_group
    event = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": audit_id or "%s-%s-%s" % (ts(moment), verb, username),
        "stage": stage, "requestURI": path, "verb": verb,
        "user": {"username": username, "groups": list(groups)},
        "sourceIPs": ["10.0.0.%d" % (len(username) % 250 + 1)], "userAgent": user_agent, "objectRef": ref,
        "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": ts(moment), "stageTimestamp": ts(moment + datetime.timedelta(milliseconds=3)),
        "annotations": {"authorization.k8s.io/decision": "allow" if code < 400 else "forbid"},
    }
    if impersonated:
        event["user"] = {"username": TELEPORT_AGENT, "groups": ["system:serviceaccounts", "system:authenticated"]}
        event["impersonatedUser"] = {"username": impersonated[0], "groups": list(impersonated[1]) + ["system:authenticated"]}
    if stage != "ResponseComplete":
        event.pop("responseStatus")
    return event


def teleport_event(kind, moment, **fields):
    """One Teleport audit event (a dict)."""
    codes = {"access_request.create": "T5000I", "access_request.update": "T5001I", "access_request.review": "T5002I",
             "access_request.delete": "T5003I", "access_request.expire": "T5005I", "kube.request": "T3009I",
             "exec": "T3002I", "session.start": "T2000I", "session.end": "T2004I"}
    event = {"event": kind, "code": codes[kind], "time": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
             "uid": "u-%s-%d" % (kind, int(moment.timestamp())), "cluster_name": "coreweave-teleport", "ei": 0}
    event.update(fields)
    return event


def _line(obj):
    return json.dumps(obj, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# background
# ---------------------------------------------------------------------------------------------------------------

def _background(rng, index):
    """(line, is_support_action) for one background event; none of them is a finding."""
    kind = rng.random()
    moment = at(rng.randrange(DAY_SECONDS))
    aid = "%08x-bg-%d" % (rng.getrandbits(32), index)
    if kind < 0.35:
        node = "gpu-node-%03d" % rng.randrange(200)
        verb, resource, sub, ns, name = rng.choice([
            ("patch", "nodes", "status", "", node), ("get", "nodes", "", "", node),
            ("update", "leases", "", "kube-node-lease", node), ("get", "pods", "", "kube-system", "cilium-%05d" % rng.randrange(99999)),
            ("watch", "configmaps", "", "kube-system", "")])
        group = "coordination.k8s.io" if resource == "leases" else ""
        return _line(k8s_event(moment, verb, "system:node:" + node, ["system:nodes", "system:authenticated"], resource,
                               ns, name, sub, group, audit_id=aid, user_agent="kubelet/v1.33.4")), False
    if kind < 0.65:
        sa = rng.choice(["replicaset-controller", "daemon-set-controller", "endpointslice-controller", "gpu-operator"])
        ns = "nvidia-gpu-operator" if sa == "gpu-operator" else "kube-system"
        verb = rng.choice(["list", "watch", "get", "update", "create"])
        resource, group = rng.choice([("pods", ""), ("replicasets", "apps"), ("endpointslices", "discovery.k8s.io"),
                                      ("events", ""), ("secrets", "")])
        return _line(k8s_event(moment, verb, "system:serviceaccount:%s:%s" % (ns, sa),
                               ["system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"],
                               resource, rng.choice(["apps", "kube-system", "ml-training"]), "", "", group,
                               audit_id=aid)), False
    if kind < 0.80:
        # Customer engineers, directly or through Teleport: they exec and read Secrets, and are not support.
        user = "dev%02d@customer.example" % rng.randrange(40)
        verb, resource, sub = rng.choice([("get", "pods", ""), ("create", "pods", "exec"), ("get", "secrets", ""),
                                          ("list", "deployments", ""), ("delete", "pods", "")])
        group = "apps" if resource == "deployments" else ""
        impersonated = (user, ["customer-devs"]) if rng.random() < 0.5 else None
        return _line(k8s_event(moment, verb, user, ["customer-devs", "system:authenticated"], resource, "ml-training",
                               "trainer-%d" % rng.randrange(500), sub, group, impersonated=impersonated,
                               audit_id=aid)), False
    if kind < 0.86:
        # The earlier stage of a long-running request: not an action, whoever makes it.
        return _line(k8s_event(moment, "watch", "system:serviceaccount:kube-system:kube-proxy",
                               ["system:serviceaccounts", "system:authenticated"], "services", stage="RequestReceived",
                               audit_id=aid)), False
    if kind < 0.96:
        # alice inside her approved window (R1): reads only, no exec, no Secrets.
        start = int((R1_APPROVED - T0).total_seconds())
        end = int((R1_EXPIRES - T0).total_seconds())
        moment = at(rng.randrange(start, end))
        verb, resource, ns = rng.choice([("get", "pods", "kube-system"), ("list", "nodes", ""), ("list", "events", "apps"),
                                         ("get", "configmaps", "kube-system")])
        return _line(k8s_event(moment, verb, ALICE, [VIEWERS], resource, ns, "" if verb == "list" else "obj-%d" % rng.randrange(50),
                               impersonated=(ALICE, [VIEWERS]), audit_id=aid)), True
    # Teleport session noise is in the Teleport file; here health checks from monitoring.
    return _line(k8s_event(moment, "get", "system:serviceaccount:monitoring:prometheus",
                           ["system:serviceaccounts", "system:authenticated"], "nodes", "", "gpu-node-%03d" % rng.randrange(200),
                           "proxy", audit_id=aid, user_agent="Prometheus/2.53")), False


def _teleport_background(rng, count):
    lines = []
    for index in range(count):
        moment = at(rng.randrange(DAY_SECONDS))
        user = rng.choice([ALICE, "dev%02d@customer.example" % rng.randrange(40)])
        kind = rng.choice(["kube.request", "kube.request", "session.start", "session.end", "exec"])
        lines.append(_line(teleport_event(kind, moment, user=user, kubernetes_cluster=CLUSTER, namespace="kube-system",
                                          request_path="/api/v1/namespaces/kube-system/pods", resource_kind="pods",
                                          resource_name="p-%d" % index, response_code=200, verb="GET",
                                          kubernetes_users=[user], kubernetes_groups=[VIEWERS])))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# planted events
# ---------------------------------------------------------------------------------------------------------------

def _planted(names):
    """(kube lines, teleport lines, expected findings {(code, user): count}, malformed per file) for the scenarios."""
    kube, tele, expected = [], [], {}
    malformed = {"kube": {}, "teleport": {}}
    minutes = datetime.timedelta(minutes=1)

    def expect(code, user, count=1):
        expected[(code, user)] = expected.get((code, user), 0) + count

    def request(kind, moment, rid, **fields):
        tele.append(_line(teleport_event(kind, moment, id=rid, **fields)))

    # alice's approved request is always there: the background has her reading inside its window.
    request("access_request.create", T0, "r1-alice", user=ALICE, roles=[VIEWERS], state="PENDING",
            reason="ZD-1001 GPU operator crashloop", expires=ts(T0 + datetime.timedelta(hours=2)))
    request("access_request.review", R1_APPROVED, "r1-alice", user=ALICE, reviewer=APPROVER, proposed_state="APPROVED",
            state="APPROVED", roles=[VIEWERS], expires=ts(R1_EXPIRES))
    if "window" in names:
        viewer = (ALICE, [VIEWERS])
        # exactly at the approval: inside; WebSocket exec (verb get on pods/exec) inside: exec-into-pod only
        kube.append(_line(k8s_event(R1_APPROVED, "list", ALICE, [VIEWERS], "pods", "kube-system", impersonated=viewer)))
        kube.append(_line(k8s_event(T0 + 60 * minutes, "get", ALICE, [VIEWERS], "pods", "nvidia-gpu-operator",
                                    "nvidia-driver-daemonset-x7k2p", "exec", impersonated=viewer)))
        expect("exec-into-pod", ALICE)
        # exactly at the expiry and an hour later: outside
        kube.append(_line(k8s_event(R1_EXPIRES, "get", ALICE, [VIEWERS], "pods", "kube-system", "coredns-1", impersonated=viewer)))
        kube.append(_line(k8s_event(T0 + 540 * minutes, "list", ALICE, [VIEWERS], "nodes", impersonated=viewer)))
        expect("activity-outside-window", ALICE, 2)
    if "denial" in names:
        request("access_request.create", T0 + 60 * minutes, "r2-bob", user=BOB, roles=[ADMINS], state="PENDING",
                reason="ZD-1002 node drain")
        request("access_request.review", T0 + 65 * minutes, "r2-bob", user=BOB, reviewer=APPROVER, proposed_state="DENIED",
                state="DENIED", roles=[ADMINS])
        kube.append(_line(k8s_event(T0 + 120 * minutes, "list", BOB, [VIEWERS], "pods", "apps", impersonated=(BOB, [VIEWERS]))))
        expect("activity-after-denial", BOB)
        # refused by the API server: a failed request, not an action
        kube.append(_line(k8s_event(T0 + 125 * minutes, "create", BOB, [VIEWERS], "pods", "apps", "web-0", "exec",
                                    code=403, impersonated=(BOB, [VIEWERS]))))
    if "approvals" in names:
        approved = T0 + 180 * minutes
        request("access_request.create", T0 + 170 * minutes, "r3-carol", user=CAROL, roles=[ADMINS], state="PENDING",
                reason="ZD-1003 etcd latency", max_duration=ts(T0 + datetime.timedelta(hours=27)))
        request("access_request.review", approved, "r3-carol", user=CAROL, reviewer=ROGUE_APPROVER, proposed_state="APPROVED",
                state="APPROVED", roles=[ADMINS], expires=ts(approved + datetime.timedelta(hours=12)))
        kube.append(_line(k8s_event(T0 + 240 * minutes, "get", CAROL, [ADMINS], "secrets", "apps", "db-password",
                                    impersonated=(CAROL, [ADMINS]))))
        kube.append(_line(k8s_event(T0 + 245 * minutes, "patch", CAROL, [ADMINS], "deployments", "apps", "web",
                                    api_group="apps", impersonated=(CAROL, [ADMINS]))))
        expect("secrets-read", CAROL)
        expect("approval-too-long", CAROL)
        expect("approver-not-allowed", CAROL)
    if "expired" in names:
        request("access_request.create", T0 + 240 * minutes, "r4-dave", user=DAVE, roles=[VIEWERS], state="PENDING",
                reason="ZD-1004")
        request("access_request.expire", T0 + 360 * minutes, "r4-dave", user=DAVE, state="PENDING")
        expect("request-expired", DAVE)
    if "revocation" in names:
        after = REVOKED_AT + 60 * minutes
        kube.append(_line(k8s_event(after, "create", EVE, ["crusoe:support:operator", "system:authenticated"], "pods",
                                    "kube-system", "node-shell-4f2a", "exec", stage="RequestReceived")))
        kube.append(_line(k8s_event(after, "create", EVE, ["crusoe:support:operator", "system:authenticated"], "pods",
                                    "kube-system", "node-shell-4f2a", "exec")))
        expect("activity-after-revocation", EVE)
        expect("exec-into-pod", EVE)
    if "malformed" in names:
        bad_kube = [("malformed_json", "{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"verb\": \n"),
                    ("malformed_json", "\udcff garbage \x00 not json\n"),
                    ("not_object", "[1, 2, 3]\n"),
                    ("not_object", "\"just a string\"\n"),
                    ("unknown_kind", "{\"hello\": \"world\"}\n"),
                    ("missing_fields", "{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"stage\": \"ResponseComplete\"}\n")]
        for reason, text in bad_kube:
            kube.append(text)
            malformed["kube"][reason] = malformed["kube"].get(reason, 0) + 1
        tele.append(_line({"event": "access_request.create", "time": ts(T0), "user": "x"}))   # no id
        tele.append(_line({"event": "session.start", "time": "yesterday"}))                     # bad time
        malformed["teleport"]["missing_fields"] = 2
    return kube, tele, expected, malformed


def _is_support_action(line):
    """Whether a planted line is a support action (final stage, succeeded, support group)."""
    try:
        event = json.loads(line)
    except ValueError:
        return False
    if not isinstance(event, dict) or event.get("stage") != "ResponseComplete" or "verb" not in event:
        return False
    if (event.get("responseStatus") or {}).get("code", 200) >= 400:
        return False
    identity = event.get("impersonatedUser") or event["user"]
    return any(g in (VIEWERS, ADMINS) or g.startswith("crusoe:support:") for g in identity.get("groups") or [])


def _resolve(planted):
    if planted is True:
        return set(SCENARIOS)
    if not planted:
        return set()
    names = set(planted)
    unknown = names - set(SCENARIOS)
    if unknown:
        raise ValueError("unknown planted scenario(s) %s; known: %s" % (", ".join(sorted(unknown)), ", ".join(SCENARIOS)))
    return names


def _pool(rng, size):
    return [_background(rng, i) for i in range(size)]


def generate(directory, size_bytes=None, lines=None, planted=True, seed=1, compress=False, pool_size=4096):
    """Write a log set into ``directory`` (created) and return its manifest (see the module docstring).

    Background Kubernetes audit lines: ``lines`` of them, or as many as make the file about ``size_bytes`` (default
    2000 lines). Lines are drawn from a seeded pool and written in large chunks, so a gigabyte takes seconds.
    """
    rng = random.Random(seed)
    names = _resolve(planted)
    os.makedirs(directory, exist_ok=True)
    pool = _pool(rng, pool_size if (size_bytes or (lines or 0) > pool_size) else max(1, min(pool_size, lines or 2000)))
    kube_planted, tele_planted, expected, malformed = _planted(names)
    kube_path = os.path.join(directory, "kube-audit.jsonl" + (".gz" if compress else ""))
    tele_path = os.path.join(directory, "teleport-audit.jsonl")
    written = 0
    count = 0
    support_actions = 0
    target_lines = lines if lines is not None else (None if size_bytes else 2000)
    opener = gzip.open if compress else open
    with opener(kube_path, "wb") as out:
        # planted lines go in the middle of the file, between background chunks
        chunk_lines = 8192
        planted_written = False
        while True:
            if target_lines is not None:
                want = min(chunk_lines, target_lines - count)
            else:
                want = chunk_lines if written < size_bytes else 0
            if want <= 0:
                break
            picks = rng.choices(range(len(pool)), k=want)
            data = "".join(pool[i][0] for i in picks).encode("utf-8")
            support_actions += sum(1 for i in picks if pool[i][1])
            out.write(data)
            written += len(data)
            count += want
            if not planted_written:
                written += out.write("".join(kube_planted).encode("utf-8", "surrogateescape"))
                planted_written = True
        if not planted_written:
            written += out.write("".join(kube_planted).encode("utf-8", "surrogateescape"))
        written += out.write(b"\n")   # one blank line at the end
    tele_lines = _teleport_background(rng, 200) + tele_planted
    rng.shuffle(tele_lines)
    with open(tele_path, "w", encoding="utf-8") as out:
        out.write("".join(tele_lines))
    planted_actions = sum(1 for line in kube_planted if _is_support_action(line))
    return {
        "dir": str(directory),
        "files": {"kube": kube_path, "teleport": tele_path},
        "cluster": CLUSTER,
        "options": {"cluster": CLUSTER, "approvers": [APPROVER], "revoked_at": {CLUSTER: ts(REVOKED_AT)}},
        "expected_findings": sorted([code, user, n] for (code, user), n in expected.items()),
        "malformed": malformed,
        "kube_lines": count + len(kube_planted) + 1,
        "teleport_lines": len(tele_lines),
        "background_support_actions": support_actions,
        "planted_support_actions": planted_actions,
        "bytes": os.path.getsize(kube_path) + os.path.getsize(tele_path),
        "uncompressed_bytes": written + os.path.getsize(tele_path),
        "scenarios": sorted(names),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--size-mb", type=float)
    parser.add_argument("--lines", type=int)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    manifest = generate(args.directory, size_bytes=int(args.size_mb * 1024 * 1024) if args.size_mb else None,
                        lines=args.lines, seed=args.seed, compress=args.gzip)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
