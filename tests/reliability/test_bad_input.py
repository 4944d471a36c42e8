# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input: every module, role, inventory and playbook option that can be wrong, through real ansible-playbook.

``CASES`` is the table. Each case is one wrong value (or one missing or malformed credential source) for one
module, role, inventory plugin or playbook. The cases run batched: one playbook for every module case (one play per
module, one ``ignore_errors`` task per case, named after the case), one for the role cases (one block/rescue per
case) and one ansible-playbook run with every inventory case as its own ``-i`` source; each playbook case (the
refusals of the collection's playbooks: extra vars and a limit) is its own run over the simulated fleet. Against the simulated
fleet (Crusoe API, Kubernetes emulator) and the CoreWeave simulator; afterwards no simulator may have seen a write.

An error is clear when the task failed, its message names the option (every dotted part of it) and whatever else
the case expects (the cluster, what the API said), and it is neither a Python traceback nor a bare "failed".

docs/errors.md documents every case: ``test_every_case_is_documented`` checks that each (target, option) pair of
the table has a row in that target's section of the page, and that the page documents no pair the table lacks.
"""

from __future__ import annotations

import collections
import json
import os
import re
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ERRORS_DOC = os.path.join(ROOT, "docs", "errors.md")
NS = "neocloud.support_access."

# One bad input. target: a module, "role:<name>", "inventory:<plugin>" or "playbook:<name>" (args: the extra vars,
# and "--limit" for the limit). kind: the error class (a section of
# docs/errors.md). args: the task's options (strings may hold {placeholders}, see _context()). env: environment
# for that task only. expect: text the message must hold besides the option name. setup: files the case needs.
Case = collections.namedtuple("Case", "target option kind args env expect setup")


def case(target, option, kind, args=None, env=None, expect=(), setup=None):
    return Case(target, option, kind, args or {}, env or {}, tuple(expect), setup)


NO_CRUSOE_KEYS = {"CRUSOE_ACCESS_KEY_ID": "", "CRUSOE_SECRET_KEY": ""}
# The fleet's Crusoe service account (sim.fleet.SERVICE_ACCOUNT); as options they beat the environment's access key.
# The simulator's token endpoint speaks TLS with its own CA (env values are filled with the placeholders too).
SA_ID = "fleet-sa-00000001"
SA_WRONG = {"client_id": SA_ID, "client_secret": "not-the-client-secret", "token_url": "{token_url}"}
SA_HTTP = {"client_id": SA_ID, "client_secret": "not-the-client-secret", "token_url": "http://127.0.0.1:9/oauth2/token"}
TRUST_SIM = {"SSL_CERT_FILE": "{sim_ca}"}
SA_ENV_HTTP = dict(NO_CRUSOE_KEYS, CRUSOE_CLIENT_ID=SA_ID, CRUSOE_CLIENT_SECRET="not-the-client-secret",
                   CRUSOE_TOKEN_URL="http://auth.crusoe.invalid/oauth2/token")
NO_COREWEAVE_TOKEN = {"COREWEAVE_API_TOKEN": ""}
NO_CONFIG = "{tmp}/no-such-dir/config"
KUBE = {"kubeconfig": "{kubeconfig}", "context": "{cluster}"}
CLUSTER = {"cluster": "{cluster}", "project": "{project}"}
RULE = {"name": "bad-input-rule", "vpc_network": "{vpc}", "action": "allow", "direction": "ingress", "protocols": ["tcp"],
        "sources": ["10.0.0.0/8"], "destinations": ["172.17.0.0/20"], "destination_ports": ["443"], "project": "{project}"}
ENDPOINT = {"slug": "bad-input-endpoint", "display_name": "bad input", "url": "https://logs.example.com/ingest"}
PIPELINE = {"slug": "bad-input-pipeline", "source": "audit-logs", "destination": "no-such-endpoint"}


def _k(**kwargs):
    """Kubernetes module options: the fleet cluster's kubeconfig and context plus kwargs."""
    return dict(KUBE, **kwargs)


def _enable(**kwargs):
    """support_enable_check options for the fleet's first cluster (a live lease ZD-4241, an operator request ZD#4241)."""
    options = dict(KUBE, ticket="ZD-4241", roles=["readonly", "operator"], **CLUSTER)
    options.update(kwargs)
    return options


# extra vars of a playbook case: the ticket and the simulated chart repository (set per run)
PLAYBOOK = {"support_access_ticket": "ZD-1"}


CASES = [
    # ------------------------------------------------------------------ crusoe_support_access
    case("crusoe_support_access", "state", "choice", dict(CLUSTER, state="on"), expect=("enabled", "disabled")),
    case("crusoe_support_access", "roles", "choice", dict(CLUSTER, roles=["root"]), expect=("root", "readonly")),
    case("crusoe_support_access", "roles", "missing", dict(CLUSTER, roles=[]), expect=("readonly",)),
    case("crusoe_support_access", "cluster", "name", dict(CLUSTER, cluster="no-such-cluster"), expect=("no-such-cluster", "ml")),
    case("crusoe_support_access", "cluster", "missing", {"roles": ["readonly"]}),
    case("crusoe_support_access", "project", "name", dict(CLUSTER, project="no-such-project"), expect=("no-such-project",)),
    case("crusoe_support_access", "api_timeout", "type", dict(CLUSTER, api_timeout="soon"), expect=("int",)),
    case("crusoe_support_access", "api_endpoint", "url", dict(CLUSTER, api_endpoint="api.crusoe.invalid/v1")),
    case("crusoe_support_access", "access_key_id", "credentials", dict(CLUSTER, config_file=NO_CONFIG), env=NO_CRUSOE_KEYS,
         expect=("CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", "secret_key")),
    case("crusoe_support_access", "secret_key", "credentials", dict(CLUSTER, secret_key="not-the-secret"),
         expect=("401",)),
    case("crusoe_support_access", "config_file", "config_file", dict(CLUSTER, config_file="{bad_toml}"), env=NO_CRUSOE_KEYS,
         expect=("{bad_toml}", "line"), setup="crusoe_config"),
    case("crusoe_support_access", "profile", "config_file", dict(CLUSTER, config_file="{good_toml}", profile="staging"),
         env=NO_CRUSOE_KEYS, expect=("staging", "{good_toml}"), setup="crusoe_config"),
    case("crusoe_support_access", "client_secret", "credentials", dict(CLUSTER, client_secret="not-the-client-secret"),
         expect=("client_id is missing", "CRUSOE_CLIENT_ID")),
    # ------------------------------------------------------------------ crusoe_support_access_info
    case("crusoe_support_access_info", "cluster", "name", dict(CLUSTER, cluster="no-such-cluster"), expect=("no-such-cluster",)),
    case("crusoe_support_access_info", "config_file", "config_file", dict(CLUSTER, config_file="{ini_config}"),
         env=NO_CRUSOE_KEYS, expect=("{ini_config}",), setup="crusoe_config"),
    case("crusoe_support_access_info", "access_key_id", "credentials", dict(CLUSTER, access_key_id="UNKNOWNKEY0000001"),
         expect=("401",)),
    case("crusoe_support_access_info", "api_retries", "type", dict(CLUSTER, api_retries="many"), expect=("int",)),
    case("crusoe_support_access_info", "client_secret", "credentials", dict(CLUSTER, **SA_WRONG), env=TRUST_SIM,
         expect=("401 invalid_client", "client authentication failed", "client_id")),
    case("crusoe_support_access_info", "client_id", "credentials", dict(CLUSTER, client_id=SA_ID),
         expect=("client_secret is missing", "CRUSOE_CLIENT_SECRET")),
    case("crusoe_support_access_info", "token_url", "url", dict(CLUSTER, **SA_HTTP), expect=("is not an https URL",)),
    # ------------------------------------------------------------------ crusoe_support_firewall
    case("crusoe_support_firewall", "source", "cidr", dict(CLUSTER, source="10.0.0.300/24"), expect=("10.0.0.300/24",)),
    case("crusoe_support_firewall", "source", "cidr", dict(CLUSTER, source="support-vpn"), expect=("support-vpn",)),
    case("crusoe_support_firewall", "state", "choice", dict(CLUSTER, state="open"), expect=("present", "absent")),
    case("crusoe_support_firewall", "wait_timeout", "type", dict(CLUSTER, wait_timeout="5m"), expect=("int",)),
    case("crusoe_support_firewall", "rule", "name", dict(CLUSTER, rule="no-such-rule"), expect=("no-such-rule",)),
    case("crusoe_support_firewall", "cluster", "name", dict(CLUSTER, cluster="Not A Cluster"), expect=("Not A Cluster",)),
    # ------------------------------------------------------------------ crusoe_firewall_rule
    case("crusoe_firewall_rule", "sources", "cidr", dict(RULE, sources=["10.1.2.0/33"]), expect=("10.1.2.0/33",)),
    case("crusoe_firewall_rule", "destinations", "cidr", dict(RULE, destinations=["172.17.0.0/20", "10.0.0.0/40"]),
         expect=("10.0.0.0/40",)),
    case("crusoe_firewall_rule", "destination_ports", "port", dict(RULE, destination_ports=["70000"]), expect=("70000",)),
    case("crusoe_firewall_rule", "destination_ports", "port", dict(RULE, destination_ports=["9000-8000"]), expect=("9000-8000",)),
    case("crusoe_firewall_rule", "source_ports", "port", dict(RULE, source_ports=["http"]), expect=("http",)),
    case("crusoe_firewall_rule", "action", "choice", dict(RULE, action="permit"), expect=("allow", "deny")),
    case("crusoe_firewall_rule", "direction", "choice", dict(RULE, direction="inbound"), expect=("ingress",)),
    case("crusoe_firewall_rule", "sources_mode", "choice", dict(RULE, sources_mode="merge"), expect=("append",)),
    case("crusoe_firewall_rule", "name", "missing", {"project": "{project}", "state": "absent"}, expect=("id",)),
    case("crusoe_firewall_rule", "vpc_network", "name", dict(RULE, vpc_network="no-such-vpc"), expect=("no-such-vpc",)),
    case("crusoe_firewall_rule", "wait_timeout", "type", dict(RULE, wait_timeout="forever"), expect=("int",)),
    # ------------------------------------------------------------------ crusoe_firewall_rule_info
    case("crusoe_firewall_rule_info", "vpc_network", "name", {"project": "{project}", "vpc_network": "no-such-vpc"},
         expect=("no-such-vpc",)),
    case("crusoe_firewall_rule_info", "project", "name", {"project": "no-such-project"}, expect=("no-such-project",)),
    # ------------------------------------------------------------------ crusoe_cluster_info
    case("crusoe_cluster_info", "all_projects", "type", {"all_projects": "sometimes"}, expect=("bool",)),
    case("crusoe_cluster_info", "access_key_id", "credentials", {"config_file": NO_CONFIG}, env=NO_CRUSOE_KEYS,
         expect=("CRUSOE_ACCESS_KEY_ID",)),
    case("crusoe_cluster_info", "config_file", "config_file", {"config_file": "{bad_toml}"}, env=NO_CRUSOE_KEYS,
         expect=("{bad_toml}",), setup="crusoe_config"),
    case("crusoe_cluster_info", "token_url", "url", {}, env=SA_ENV_HTTP, expect=("CRUSOE_TOKEN_URL", "is not an https URL")),
    # ------------------------------------------------------------------ support_chart
    case("support_chart", "timeout", "duration", _k(timeout="five minutes"), expect=("five minutes", "5m0s")),
    case("support_chart", "release", "name", _k(state="query", release="Crusoe_Roles"), expect=("Crusoe_Roles",)),
    case("support_chart", "namespace", "name", _k(state="query", namespace="Crusoe System"), expect=("Crusoe System",)),
    case("support_chart", "state", "choice", _k(state="installed"), expect=("absent", "present", "query")),
    case("support_chart", "chart_version", "missing", _k(state="present", chart_repo_url="http://127.0.0.1:9"),
         expect=("state is present",)),
    case("support_chart", "binary_path", "name", _k(binary_path="{tmp}/no-such-helm"), expect=("{tmp}/no-such-helm",)),
    case("support_chart", "username", "kubeconfig", _k(state="query", username="admin"), expect=("kubeconfig",)),
    case("support_chart", "kubeconfig", "kubeconfig", _k(state="query", kubeconfig="{tmp}/no-such-kubeconfig"),
         expect=("{tmp}/no-such-kubeconfig",)),
    # ------------------------------------------------------------------ support_enable_check
    case("support_enable_check", "roles", "choice", _enable(roles=["root"]), expect=("root", "{cluster}", "nothing was changed")),
    case("support_enable_check", "duration", "duration", _enable(duration="forever"), expect=("forever", "nothing was changed")),
    case("support_enable_check", "ticket", "missing", _enable(ticket=""), expect=("require_ticket",)),
    case("support_enable_check", "provider", "choice", _enable(provider="coreweave"), expect=("crusoe only",)),
    case("support_enable_check", "policy", "policy", _enable(policy={"max_leese": "4h"}), expect=("max_leese", "max_lease")),
    case("support_enable_check", "policy.allowed_roles", "policy", _enable(policy={"allowed_roles": ["readonly"]}),
         expect=("operator", "{cluster}", "nothing was changed")),
    case("support_enable_check", "policy.max_lease", "policy", _enable(duration="8h", policy={"max_lease": "4h"}),
         expect=("8h", "4h", "nothing was changed")),
    case("support_enable_check", "policy.allow_firewall_opening", "policy", _enable(policy={"allow_firewall_opening": False}),
         expect=("firewall", "support_access_firewall")),
    case("support_enable_check", "extend", "lease", _enable(ticket="ZD-1"), expect=("ZD-4241", "nothing was changed")),
    case("support_enable_check", "roles", "lease", _enable(roles=["readonly"], extend=True),
         expect=("ZD#4241", "operator", "nothing was changed")),
    case("support_enable_check", "context", "kubeconfig", _enable(context="no-such-context"), expect=("no-such-context",)),
    # ------------------------------------------------------------------ support_lease
    case("support_lease", "duration", "duration", _k(ticket="ZD-1", duration="forever"), expect=("forever", "8h")),
    case("support_lease", "duration", "duration", _k(ticket="ZD-1", duration="-1h"), expect=("-1h",)),
    case("support_lease", "duration", "duration", _k(ticket="ZD-1", duration="9d"), expect=("9d", "7 days")),
    case("support_lease", "max_duration", "duration", _k(ticket="ZD-1", max_duration="soon"), expect=("soon",)),
    case("support_lease", "max_duration", "duration", _k(ticket="ZD-1", duration="10h", max_duration="8h"),
         expect=("10h", "8h", "duration")),
    case("support_lease", "ticket", "missing", _k(), expect=("require_ticket",)),
    case("support_lease", "ticket", "name", _k(ticket="ZD 12; rm -rf /"), expect=("ZD 12",)),
    case("support_lease", "name", "name", _k(state="query", name="Not_A_Name"), expect=("Not_A_Name",)),
    case("support_lease", "namespace", "name", _k(state="query", namespace="Kube System"), expect=("Kube System",)),
    case("support_lease", "state", "choice", _k(state="open"), expect=("active", "closed")),
    case("support_lease", "extend", "type", _k(ticket="ZD-1", extend="perhaps"), expect=("bool",)),
    case("support_lease", "extend", "lease", _k(state="active", ticket="ZD-1", roles=["readonly"]),
         expect=("ZD-4241", "nothing was changed")),
    case("support_lease", "kubeconfig", "kubeconfig", _k(state="query", kubeconfig="{tmp}/no-such-kubeconfig"),
         expect=("{tmp}/no-such-kubeconfig",)),
    case("support_lease", "kubeconfig", "kubeconfig", _k(state="query", kubeconfig="{bad_yaml_kubeconfig}"),
         expect=("{bad_yaml_kubeconfig}",), setup="kubeconfigs"),
    case("support_lease", "context", "kubeconfig", _k(state="query", context="no-such-context"), expect=("no-such-context",)),
    case("support_lease", "context", "kubeconfig", _k(state="query", kubeconfig="{no_user_kubeconfig}", context="orphan"),
         expect=("orphan", "ghost"), setup="kubeconfigs"),
    # ------------------------------------------------------------------ support_pods
    case("support_pods", "state", "choice", _k(state="deleted"), expect=("present", "absent")),
    case("support_pods", "page_size", "range", _k(page_size=0), expect=("at least 1",)),
    case("support_pods", "grace_period_seconds", "range", _k(grace_period_seconds=-1), expect=("negative",)),
    case("support_pods", "namespaces", "name", _k(namespaces=[""]), expect=("empty",)),
    case("support_pods", "namespaces", "name", _k(namespaces=["Kube_System"]), expect=("Kube_System",)),
    case("support_pods", "marker_labels", "type", _k(marker_labels="node-shell"), expect=("dict",)),
    case("support_pods", "confirm", "confirm", _k(state="absent", namespaces=["kube-system"]), expect=("confirm=true",)),
    case("support_pods", "context", "kubeconfig", _k(context="no-such-context"), expect=("no-such-context",)),
    case("support_pods", "delete_debugged_pods", "type", _k(delete_debugged_pods="sometimes"), expect=("bool",)),
    # ------------------------------------------------------------------ support_rbac
    case("support_rbac", "subjects.kind", "choice", _k(subjects=[{"kind": "Robot", "name": "x"}], confirm=True),
         expect=("Group",)),
    case("support_rbac", "subjects.name", "missing", _k(subjects=[{"kind": "Group"}], confirm=True)),
    case("support_rbac", "page_size", "range", _k(page_size=0, confirm=True), expect=("at least 1",)),
    case("support_rbac", "state", "choice", _k(state="present"), expect=("absent",)),
    case("support_rbac", "confirm", "confirm", _k(), expect=("confirm=true",)),
    case("support_rbac", "policy.support_subjects", "policy", _k(confirm=True, policy={"support_subjects": [{"kind": "Robot", "name": "r"}]}),
         expect=("Robot", "{cluster}")),
    case("support_rbac", "kubeconfig", "kubeconfig", _k(kubeconfig="{no_context_kubeconfig}"),
         expect=("{no_context_kubeconfig}",), setup="kubeconfigs"),
    # ------------------------------------------------------------------ support_rbac_info
    case("support_rbac_info", "probes.resource", "missing", _k(probes=[{"verb": "get"}])),
    case("support_rbac_info", "subjects.kind", "choice", _k(subjects=[{"kind": "Team", "name": "x"}]), expect=("Group",)),
    case("support_rbac_info", "page_size", "range", _k(page_size=-5), expect=("at least 1",)),
    case("support_rbac_info", "kubeconfig", "kubeconfig", _k(kubeconfig="{bad_yaml_kubeconfig}"),
         expect=("{bad_yaml_kubeconfig}",), setup="kubeconfigs"),
    # ------------------------------------------------------------------ support_cluster_info
    case("support_cluster_info", "provider", "choice", dict(_k(**CLUSTER), provider="aws"), expect=("crusoe", "coreweave")),
    case("support_cluster_info", "cluster", "missing", _k()),
    case("support_cluster_info", "pods_allow", "name", dict(_k(**CLUSTER), pods_allow=["a/b/c"]), expect=("namespace/name",)),
    case("support_cluster_info", "policy", "name", dict(_k(**CLUSTER), policy={"max_leese": "4h"}), expect=("max_leese",)),
    case("support_cluster_info", "policy.allow", "policy", dict(_k(**CLUSTER), policy={"allow": "everything"}),
         expect=("everything", "glob")),
    case("support_cluster_info", "policy.support_subject_patterns", "policy",
         dict(_k(**CLUSTER), policy={"support_subject_patterns": [""]}), expect=("glob",)),
    case("support_cluster_info", "probe_every_class", "type", dict(_k(**CLUSTER), probe_every_class="all"), expect=("bool",)),
    case("support_cluster_info", "probes.verb", "missing", dict(_k(**CLUSTER), probes=[{"resource": "pods"}])),
    # ------------------------------------------------------------------ support_activity
    case("support_activity", "paths", "missing", {}),
    case("support_activity", "max_approval", "duration", {"paths": ["{tmp}/logs/*.log"], "max_approval": "forever"},
         expect=("forever",)),
    case("support_activity", "default_access", "duration", {"paths": ["{tmp}/logs/*.log"], "default_access": "1 week"},
         expect=("1 week",)),
    case("support_activity", "cluster_map", "type", {"paths": ["{tmp}/logs/*.log"], "cluster_map": "a-b"}, expect=("dict",)),
    case("support_activity", "max_examples", "type", {"paths": ["{tmp}/logs/*.log"], "max_examples": "many"}, expect=("int",)),
    case("support_activity", "revoked_at", "time", {"paths": ["{tmp}/logs/*.log"], "revoked_at": {"c1": "yesterday"}},
         expect=("yesterday",)),
    # ------------------------------------------------------------------ support_access_report
    case("support_access_report", "formats", "choice", {"dest": "{tmp}/report", "formats": ["pdf"]}, expect=("pdf", "json")),
    case("support_access_report", "basename", "name", {"dest": "{tmp}/report", "basename": "../escape"}, expect=("../escape",)),
    case("support_access_report", "dest", "missing", {}),
    case("support_access_report", "sources", "missing", {"dest": "{tmp}/report", "sources": ["{tmp}/none/*.json"]},
         expect=("{tmp}/none/*.json",)),
    case("support_access_report", "policy", "type", {"dest": "{tmp}/report", "policy": "strict"}, expect=("dict",)),
    case("support_access_report", "fail_on_findings", "type", {"dest": "{tmp}/report", "fail_on_findings": "maybe"},
         expect=("bool",)),
    # ------------------------------------------------------------------ CoreWeave modules
    case("coreweave_cluster_info", "api_token", "credentials", {}, env=NO_COREWEAVE_TOKEN, expect=("COREWEAVE_API_TOKEN",)),
    case("coreweave_cluster_info", "api_token", "credentials", {"api_token": "CW-SECRET-wrong"}, expect=("401",)),
    case("coreweave_cluster_info", "api_timeout", "type", {"api_timeout": "slow"}, expect=("int",)),
    case("coreweave_cluster_info", "api_endpoint", "url", {"api_endpoint": "ftp://api.coreweave.invalid"}, expect=("ftp",)),
    case("coreweave_telemetry_info", "api_token", "credentials", {}, env=NO_COREWEAVE_TOKEN, expect=("COREWEAVE_API_TOKEN",)),
    case("coreweave_telemetry_info", "api_retries", "type", {"api_retries": "lots"}, expect=("int",)),
    case("coreweave_telemetry_endpoint", "state", "choice", dict(ENDPOINT, state="gone"), expect=("present", "absent")),
    case("coreweave_telemetry_endpoint", "url", "url", dict(ENDPOINT, url="ftp://logs.example.com/x"), expect=("ftp://",)),
    case("coreweave_telemetry_endpoint", "url", "url", dict(ENDPOINT, url="not a url"), expect=("not a url",)),
    case("coreweave_telemetry_endpoint", "basic_auth.password", "missing", dict(ENDPOINT, basic_auth={"username": "u"})),
    case("coreweave_telemetry_endpoint", "update_credentials", "choice", dict(ENDPOINT, update_credentials="never"),
         expect=("on_create",)),
    case("coreweave_telemetry_endpoint", "clear_credentials", "conflict",
         dict(ENDPOINT, clear_credentials=True, basic_auth={"username": "u", "password": "p"}), expect=("basic_auth",)),
    case("coreweave_telemetry_endpoint", "slug", "name", dict(ENDPOINT, slug="Bad Slug!"), expect=("Bad Slug!",)),
    case("coreweave_telemetry_endpoint", "api_token", "credentials", ENDPOINT, env=NO_COREWEAVE_TOKEN,
         expect=("COREWEAVE_API_TOKEN",)),
    case("coreweave_telemetry_pipeline", "source", "name", dict(PIPELINE, source="no-such-stream"), expect=("no-such-stream",)),
    case("coreweave_telemetry_pipeline", "destination", "name", PIPELINE, expect=("no-such-endpoint",)),
    case("coreweave_telemetry_pipeline", "enabled", "type", dict(PIPELINE, enabled="maybe"), expect=("bool",)),
    case("coreweave_telemetry_pipeline", "slug", "missing", {"source": "audit-logs"}),
    # ------------------------------------------------------------------ roles
    case("role:crusoe_support_roles", "crusoe_support_roles_state", "choice", {"crusoe_support_roles_state": "gone"},
         expect=("present", "absent")),
    case("role:crusoe_support_roles", "crusoe_support_roles_upgrade", "type", {"crusoe_support_roles_upgrade": "maybe"},
         expect=("bool",)),
    case("role:crusoe_support_roles", "crusoe_support_roles_kubeconfig", "kubeconfig",
         {"crusoe_support_roles_kubeconfig": "{tmp}/no-such-kubeconfig"}, expect=("{tmp}/no-such-kubeconfig", "{cluster}")),
    case("role:crusoe_support_roles", "crusoe_support_roles_context", "kubeconfig",
         {"crusoe_support_roles_context": "no-such-context"}, expect=("no-such-context", "{cluster}")),
    case("role:support_enable", "support_enable_duration", "duration", {"support_enable_ticket": "ZD-1", "support_enable_duration": "forever"},
         expect=("forever", "{cluster}")),
    case("role:support_enable", "support_enable_max_duration", "duration",
         {"support_enable_ticket": "ZD-1", "support_enable_duration": "10h", "support_enable_max_duration": "8h"},
         expect=("10h", "8h", "{cluster}")),
    case("role:support_enable", "support_enable_ticket", "missing", {}, expect=("{cluster}",)),
    case("role:support_enable", "support_enable_roles", "choice", {"support_enable_ticket": "ZD-1", "support_enable_roles": ["root"]},
         expect=("root", "{cluster}")),
    case("role:support_enable", "support_enable_provider", "choice", {"support_enable_ticket": "ZD-1", "support_enable_provider": "coreweave"},
         expect=("coreweave", "{cluster}")),
    case("role:support_enable", "support_enable_require_ticket", "type", {"support_enable_require_ticket": "maybe"}, expect=("bool",)),
    case("role:support_enable", "support_enable_roles", "type", {"support_enable_ticket": "ZD-1", "support_enable_roles": {"a": 1}},
         expect=("list",)),
    case("role:support_enable", "support_enable_policy", "policy",
         {"support_enable_ticket": "ZD-1", "support_enable_policy": {"allowed_roles": []}}, expect=("allowed_roles", "{cluster}")),
    case("role:support_enable", "support_enable_extend", "lease", {"support_enable_ticket": "ZD-1"},
         expect=("ZD-4241", "support_access_extend", "nothing was changed")),
    case("role:support_revoke", "support_revoke_confirm", "confirm", {}, expect=("{cluster}", "nothing was changed")),
    case("role:support_revoke", "support_revoke_confirm", "type", {"support_revoke_confirm": "perhaps"}, expect=("bool",)),
    case("role:support_revoke", "support_revoke_provider", "choice", {"support_revoke_confirm": True, "support_revoke_provider": "aws"},
         expect=("aws", "{cluster}")),
    case("role:support_revoke", "support_revoke_support_groups", "type",
         {"support_revoke_confirm": True, "support_revoke_support_groups": {"g": 1}}, expect=("list",)),
    case("role:support_sweep", "support_sweep_confirm", "type", {"support_sweep_confirm": "perhaps"}, expect=("bool",)),
    case("role:support_sweep", "support_sweep_namespaces", "type", {"support_sweep_namespaces": {"a": 1}}, expect=("list",)),
    case("role:support_sweep", "support_sweep_kubeconfig", "kubeconfig", {"support_sweep_kubeconfig": "{tmp}/no-such-kubeconfig"},
         expect=("{tmp}/no-such-kubeconfig", "{cluster}")),
    case("role:support_audit", "support_audit_playbook", "choice", {"support_audit_playbook": "nuke"}, expect=("audit",)),
    case("role:support_audit", "support_audit_fail", "type", {"support_audit_fail": "sometimes"}, expect=("bool",)),
    # ------------------------------------------------------------------ inventory plugins
    case("inventory:crusoe", "all_projects", "conflict", {"projects": ["ml"], "all_projects": True}, expect=("projects",)),
    case("inventory:crusoe", "projects", "name", {"projects": ["no-such-project"]}, expect=("no-such-project",)),
    case("inventory:crusoe", "access_key_id", "credentials", {"all_projects": True, "config_file": NO_CONFIG}, env=NO_CRUSOE_KEYS,
         expect=("CRUSOE_ACCESS_KEY_ID",)),
    case("inventory:crusoe", "config_file", "config_file", {"all_projects": True, "config_file": "{bad_toml}"}, env=NO_CRUSOE_KEYS,
         expect=("{bad_toml}",), setup="crusoe_config"),
    case("inventory:crusoe", "api_timeout", "type", {"all_projects": True, "api_timeout": "soon"}, expect=("int",)),
    case("inventory:crusoe", "secret_key", "credentials", {"all_projects": True, "secret_key": "bm90LXRoZS1zZWNyZXQ"}, expect=("401",)),
    case("inventory:crusoe", "client_secret", "credentials", dict(SA_WRONG, all_projects=True), env=TRUST_SIM,
         expect=("401 invalid_client", "client authentication failed", "client_id")),
    case("inventory:crusoe", "client_id", "credentials", {"all_projects": True, "client_id": SA_ID},
         expect=("client_secret is missing", "CRUSOE_CLIENT_SECRET")),
    case("inventory:crusoe", "token_url", "url", dict(SA_HTTP, all_projects=True), expect=("is not an https URL",)),
    case("inventory:coreweave", "api_token", "credentials", {}, env=NO_COREWEAVE_TOKEN, expect=("COREWEAVE_API_TOKEN",)),
    case("inventory:coreweave", "api_token", "credentials", {"api_token": "CW-SECRET-wrong"}, expect=("401",)),
    case("inventory:coreweave", "statuses", "type", {"statuses": {"a": 1}}, expect=("list",)),
    # ------------------------------------------------------------------ playbooks (extra vars, limit)
    case("playbook:enable", "support_access_hosts", "target", dict(PLAYBOOK), expect=("-l CLUSTER", "nothing was changed")),
    case("playbook:enable", "support_access_fleet_confirm", "target", dict(PLAYBOOK, **{"--limit": "all"}),
         expect=("support_access_max_clusters=1", "{cluster}", "nothing was changed")),
    case("playbook:enable", "support_access_ticket", "missing", {"--limit": "{cluster}"}, expect=("{cluster}", "nothing was changed")),
    case("playbook:enable", "support_access_policy.max_lease", "policy",
         dict(PLAYBOOK, support_access_duration="8h", support_access_policy={"max_lease": "1h"}, **{"--limit": "{cluster}"}),
         expect=("8h", "1h", "extra vars", "nothing was changed")),
    case("playbook:audit", "support_access_hosts", "empty", {"support_access_hosts": "no-such-cluster"},
         expect=("no-such-cluster", "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true")),
    case("playbook:audit", "support_access_expected_clusters", "empty",
         {"support_access_expected_clusters": 99, "--limit": "{cluster}"}, expect=("1 of 99",)),
]


def case_id(item):
    """A unique task name for a case: target/option/#index."""
    return "%s/%s/#%d" % (item.target, item.option, CASES.index(item))


def doc_key(item):
    """The (section, option) of a case in docs/errors.md: sections are named by module, role or plugin name."""
    return item.target.split(":", 1)[-1], item.option


# ------------------------------------------------------------------------------------------------ the check


def message_of(result):
    """The error text a user sees for one task result (msg plus anything the module printed)."""
    parts = [result.get("msg") or ""]
    for key in ("module_stderr", "module_stdout", "stderr"):
        if result.get(key):
            parts.append(str(result[key]))
    return "\n".join(str(p) for p in parts)


def judge(item, failed, text, ctx):
    """(clear, why) for one case: failed, names the option and the expected words, no traceback, not vague."""
    if not failed:
        return False, "the bad input was accepted"
    if "Traceback (most recent call last)" in text or "MODULE FAILURE" in text:
        return False, "a Python traceback instead of a message"
    if text.strip().lower() in ("", "failed", "error"):
        return False, "a vague message"
    for part in item.option.split("."):
        if part not in text:
            return False, "the message does not name the option %s" % part
    for word in item.expect:
        if word.format(**ctx) not in text:
            return False, "the message lacks %r" % word.format(**ctx)
    return True, ""


def _fill(value, ctx):
    if isinstance(value, str):
        return value.format(**ctx)
    if isinstance(value, list):
        return [_fill(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ctx) for k, v in value.items()}
    return value


def _write_inputs(tmp_path, fleet_):
    """The malformed and the almost-right files the cases point at; returns the placeholder values."""
    name = fleet_.names[0]
    files = {
        # a TOML table that never closes, as a hand edit leaves it
        "bad_toml": "[default\naccess_key_id = \"x\"\n",
        # the INI style older tools wrote; the loader reads TOML, where unquoted values are errors
        "ini_config": "[default]\naccess_key_id = AKID0001\nsecret_key = c2VjcmV0\n",
        "good_toml": "profile = \"default\"\n[default]\naccess_key_id = \"AKID0001\"\nsecret_key = \"c2VjcmV0\"\n",
        "bad_yaml_kubeconfig": "apiVersion: v1\nclusters: [\n  - name: a\ncontexts:\n\tcurrent-context: x\n",
        "no_context_kubeconfig": "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: gone\n",
    }
    ctx = {"tmp": str(tmp_path), "kubeconfig": fleet_.kubeconfig, "cluster": name, "project": _project_of(fleet_, name),
           "vpc": "%s-vpc" % name, "token_url": fleet_.crusoe.token_url, "sim_ca": fleet_.crusoe.ca_file}
    for key, text in files.items():
        path = tmp_path / ("%s.txt" % key)
        path.write_text(text)
        ctx[key] = str(path)
    # a context whose user entry is missing: copy the fleet's kubeconfig and add such a context
    with open(fleet_.kubeconfig, encoding="utf-8") as handle:
        kubeconfig = yaml.safe_load(handle)
    kubeconfig["contexts"].append({"name": "orphan", "context": {"cluster": name, "user": "ghost"}})
    path = tmp_path / "no-user-kubeconfig.yaml"
    path.write_text(yaml.safe_dump(kubeconfig))
    ctx["no_user_kubeconfig"] = str(path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "audit.log").write_text("")
    return ctx


def _project_of(fleet_, name):
    cluster = next(c for c in fleet_.crusoe_fleet()["clusters"] if c["name"] == name)
    return next(p["name"] for p in fleet_.crusoe_fleet()["projects"] if p["id"] == cluster["project_id"])


def _module_playbook(cases, ctx):
    plays = []
    by_target = collections.OrderedDict()
    for item in cases:
        by_target.setdefault(item.target, []).append(item)
    for target, items in by_target.items():
        tasks = []
        for item in items:
            task = {"name": case_id(item), NS + target: _fill(item.args, ctx), "ignore_errors": True}
            if item.env:
                task["environment"] = _fill(item.env, ctx)
            tasks.append(task)
        plays.append({"name": "bad input for %s" % target, "hosts": "all", "gather_facts": False, "tasks": tasks})
    return json.dumps(plays, indent=1)


def _role_playbook(cases, ctx):
    tasks = []
    for item in cases:
        role = item.target.split(":", 1)[1]
        tasks.append({"name": "block " + case_id(item), "block": [
            {"name": "run " + case_id(item), "ansible.builtin.include_role": {"name": NS + role}, "vars": _fill(item.args, ctx)},
        ], "rescue": [
            {"name": case_id(item), "ansible.builtin.debug": {"msg": "{{ ansible_failed_result }}"}},
        ]})
    return json.dumps([{"name": "bad input for the roles", "hosts": "all", "gather_facts": False, "tasks": tasks}], indent=1)


def _inventory(tmp_path, ctx, fleet_):
    path = tmp_path / "hosts.yml"
    name = ctx["cluster"]
    path.write_text(json.dumps({"all": {"hosts": {name: {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "support_access_kubeconfig": fleet_.kubeconfig, "support_access_context": name,
        "support_access_project": ctx["project"]}}}}))
    return str(path)


def _writes(fleet_, coreweave):
    writes = ["crusoe %s" % (w,) for w in fleet_.crusoe_writes()]
    for cluster, entries in fleet_.kube_writes().items():
        writes += ["kube %s %s" % (cluster, e) for e in entries]
    writes += ["coreweave %s" % (w,) for w in coreweave.writes()]
    return writes


@pytest.fixture
def bad_input_world(fleet, coreweave_sim, tmp_path):
    ctx = _write_inputs(tmp_path, fleet)
    env = fleet.env()
    env.update(coreweave_sim.env(token="admin"))
    env["COREWEAVE_HTTP_TIMEOUT"] = "10"
    return fleet, coreweave_sim, ctx, env


def _record(reliability, items, outcomes):
    """Record every case first (so the table counts failures), then report the unclear ones."""
    unclear = []
    dump = os.environ.get("BAD_INPUT_DUMP")  # a file to append every case's message to, for writing docs/errors.md
    for item in items:
        clear, why, text = outcomes[case_id(item)]
        if dump:
            with open(dump, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"case": case_id(item), "message": text}) + "\n")
        reliability.bad_input(clear=clear, option="%s %s" % (item.target, item.option))
        if not clear:
            unclear.append("%s: %s\n    message: %s" % (case_id(item), why, text.strip()[:600]))
    return unclear


@pytest.mark.slow
def test_bad_module_and_role_input(ansible_playbook, bad_input_world, reliability, tmp_path):
    fleet_, coreweave, ctx, env = bad_input_world
    inventory = _inventory(tmp_path, ctx, fleet_)
    modules = [c for c in CASES if ":" not in c.target]
    roles = [c for c in CASES if c.target.startswith("role:")]
    outcomes = {}
    env = dict(env, ANSIBLE_PIPELINING="1")
    for cases, playbook in ((modules, _module_playbook(modules, ctx)), (roles, _role_playbook(roles, ctx))):
        if not cases:
            continue
        res = ansible_playbook(playbook, inventory=inventory, env=env)
        for item in cases:
            found = res.results(case_id(item))
            if not found:
                outcomes[case_id(item)] = (False, "the task did not fail (no error recorded)", res.stdout[-800:])
                continue
            result = found[0]["result"]
            if item.target.startswith("role:"):
                result = result.get("msg") if isinstance(result.get("msg"), dict) else {}
                failed = bool(result.get("failed"))
            else:
                failed = found[0]["status"] in ("failed", "ignored")
            text = message_of(result)
            clear, why = judge(item, failed, text, ctx)
            outcomes[case_id(item)] = (clear, why, text)
    writes = _writes(fleet_, coreweave)
    unclear = _record(reliability, modules + roles, outcomes)
    assert not unclear and not writes, "%d bad input(s) without a clear error:\n%s\n%d write(s) reached a simulator:\n%s" % (
        len(unclear), "\n".join(unclear), len(writes), "\n".join(writes))


def auto_plugin_errors(output):
    """{source path: message} from ansible's "Failed to parse inventory with 'auto' plugin" warnings (what users see:
    the plugin's AnsibleParserError, followed by the source it was about)."""
    found = {}
    for chunk in re.sub(r"\s+", " ", output).split("[WARNING]:"):
        match = re.search(r"Failed to parse inventory with 'auto' plugin: (.*?) (?:Failed to parse inventory with 'auto'|Origin:)"
                          r".*?Origin: <inventory plugin 'auto' with source '([^']+)'>", chunk)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def test_bad_inventory_config(ansible_playbook, bad_input_world, reliability, tmp_path):
    fleet_, coreweave, ctx, env = bad_input_world
    items = [c for c in CASES if c.target.startswith("inventory:")]
    outcomes = {}
    sources = []
    for item in items:
        plugin = item.target.split(":", 1)[1]
        config = {"plugin": NS + plugin}
        config.update(_fill(item.args, ctx))
        path = tmp_path / ("case-%d.%s.yml" % (CASES.index(item), plugin))
        path.write_text(yaml.safe_dump(config))
        sources.append((item, str(path)))
    # One run per environment (cases without credentials need their own), every source of it as its own -i.
    groups = collections.OrderedDict()
    for item, path in sources:
        groups.setdefault(json.dumps(item.env, sort_keys=True), []).append((item, path))
    for group in groups.values():
        run_env = dict(env)
        run_env.update(_fill(group[0][0].env, ctx))
        args = ["--list-hosts"]
        for dummy, path in group[1:]:
            args += ["-i", path]
        res = ansible_playbook("- hosts: all\n  gather_facts: false\n  tasks: []\n", inventory=group[0][1], env=run_env,
                               args=args)
        seen = auto_plugin_errors(res.stdout + res.stderr)
        for item, path in group:
            own = seen.get(path, "")
            clear, why = judge(item, path in seen, own, ctx)
            outcomes[case_id(item)] = (clear, why, own[:600] or res.stderr[-600:])
    writes = _writes(fleet_, coreweave)
    unclear = _record(reliability, items, outcomes)
    assert not writes, "bad inventory config reached a simulator as a write:\n" + "\n".join(writes)
    assert not unclear, "%d bad inventory config(s) without a clear error:\n%s" % (len(unclear), "\n".join(unclear))


def failure_message(res):
    """The message of the run's first failed task (what the user reads first), else the end of the output."""
    for event in res.results():
        if event.get("status") == "failed":
            return message_of(event.get("result") or {})
    return (res.stdout + res.stderr)[-800:]


def test_bad_playbook_input(ansible_playbook, bad_input_world, reliability, tmp_path):
    fleet_, coreweave, ctx, env = bad_input_world
    items = [c for c in CASES if c.target.startswith("playbook:")]
    outcomes = {}
    for item in items:
        extra = _fill(item.args, ctx)
        limit = extra.pop("--limit", None)
        extra.update(support_access_chart_repo_url=fleet_.chart_repo.url, support_access_report_dir=str(tmp_path / "reports"))
        res = ansible_playbook(NS + item.target.split(":", 1)[1], inventory=fleet_.inventory, extra_vars=extra,
                               limit=limit, env=env)
        text = failure_message(res)
        clear, why = judge(item, res.rc != 0, text, ctx)
        outcomes[case_id(item)] = (clear, why, text)
    writes = _writes(fleet_, coreweave)
    unclear = _record(reliability, items, outcomes)
    assert not writes, "a refused playbook run reached a simulator as a write:\n" + "\n".join(writes)
    assert not unclear, "%d bad playbook input(s) without a clear error:\n%s" % (len(unclear), "\n".join(unclear))


# ------------------------------------------------------------------------------------------------ docs/errors.md


def documented_pairs(text):
    """{(target, option)} from docs/errors.md: per '## `target`' section, the first cell of each table row."""
    pairs = set()
    target = None
    for line in text.splitlines():
        heading = re.match(r"^##\s+`([^`]+)`", line)
        if heading:
            target = heading.group(1).replace(NS, "")
            continue
        row = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if target and row:
            pairs.add((target, row.group(1)))
    return pairs


def test_every_case_is_documented():
    with open(ERRORS_DOC, encoding="utf-8") as handle:
        text = handle.read()
    documented = documented_pairs(text)
    table = set(doc_key(c) for c in CASES)
    missing = sorted(table - documented)
    stale = sorted(documented - table)
    assert not missing, "bad-input cases missing from docs/errors.md: %s" % missing
    assert not stale, "docs/errors.md documents cases the table lacks: %s" % stale
    kinds = set(c.kind for c in CASES)
    undocumented = sorted(k for k in kinds if not re.search(r"^\|\s*%s\s*\|" % re.escape(k), text, re.M))
    assert not undocumented, "error classes missing from the class table of docs/errors.md: %s" % undocumented
