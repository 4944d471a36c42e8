# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX assets in docs/awx/ against the collection: the list of variables each playbook accepts
(docs/awx/variables.yml) against the playbooks and roles, the job templates and surveys against that list, and the
credential types' injectors against the environment variables the collection's code reads."""

from __future__ import annotations

import glob
import os
import re

import jinja2
import jinja2.meta
import pytest
import yaml

from ansible.module_utils.basic import env_fallback
from ansible_collections.kubernetes.core.plugins.module_utils.helm_args_common import HELM_AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as k8s_client
from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave, _crusoe_api, _kube

from conftest import ROOT

AWX = os.path.join(ROOT, "docs", "awx")
NAME = re.compile(r"(?<![.\w])support_access_[a-z_]+\b")  # not a filter name (neocloud.support_access.support_access_x)
INCLUDES = ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role")
PREFIX = "neocloud.support_access."


class _Loader(yaml.SafeLoader):
    """YAML with Ansible's !unsafe tag (values AWX templates per job, left alone by the setup playbook)."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # nosec: a SafeLoader subclass


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


VARIABLES = load(os.path.join(AWX, "variables.yml"))
SETUP = load(os.path.join(AWX, "setup_job_templates.yml"))
TASKS = SETUP[0]["tasks"]


def role_files(role):
    root = os.path.join(ROOT, "roles", role)
    return [p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
            if os.path.isfile(p) and "/meta/" not in p and "/molecule/" not in p]


def included_roles(path):
    """The collection's roles a task file or playbook includes or imports."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in INCLUDES and isinstance(value, dict) and str(value.get("name", "")).startswith(PREFIX):
                    found.add(value["name"][len(PREFIX):])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(load(path))
    return found


def playbook_roles(playbook):
    """The roles a playbook includes, and the roles those include."""
    found, todo = set(), included_roles(os.path.join(ROOT, "playbooks", playbook + ".yml"))
    while todo:
        role = todo.pop()
        found.add(role)
        for path in glob.glob(os.path.join(ROOT, "roles", role, "tasks", "*.yml")):
            todo |= included_roles(path) - found
    return found


def referenced(playbook):
    """Every support_access_* name the playbook, its templates, the report tasks and its roles mention."""
    paths = [os.path.join(ROOT, "playbooks", playbook + ".yml")]
    paths += glob.glob(os.path.join(ROOT, "playbooks", "templates", playbook + "_*.j2"))
    if VARIABLES["playbooks"][playbook]["shared"]:
        paths.append(os.path.join(ROOT, "playbooks", "tasks", "report.yml"))
    for role in playbook_roles(playbook):
        paths += role_files(role)
    names = set()
    for path in paths:
        names |= set(NAME.findall(read(path)))
    return names


def role_options(role):
    spec = load(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"))
    return set(spec["argument_specs"]["main"].get("options", {}))


def accepted(playbook):
    entry = VARIABLES["playbooks"][playbook]
    names = set(entry["variables"]) | (set(VARIABLES["shared"]) if entry["shared"] else set())
    for role in entry["roles"]:
        names |= role_options(role)
    return names


PLAYBOOKS = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yml")))


def test_every_playbook_is_listed():
    assert sorted(VARIABLES["playbooks"]) == PLAYBOOKS


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_variable_list_matches_the_playbook(playbook):
    entry = VARIABLES["playbooks"][playbook]
    names = referenced(playbook)
    listed = set(entry["variables"]) | (set(VARIABLES["shared"]) if entry["shared"] else set())
    assert listed <= names, "listed but never read by %s: %s" % (playbook, sorted(listed - names))
    known = listed | set(VARIABLES["host_variables"]) | set(VARIABLES["internal"]) | {"support_access_report"}
    assert names <= known, "read by %s but not in docs/awx/variables.yml: %s" % (playbook, sorted(names - known))
    direct = included_roles(os.path.join(ROOT, "playbooks", playbook + ".yml"))
    assert set(entry["roles"]) == direct, "roles the playbook includes"


def test_lists_are_disjoint_and_not_stale():
    groups = [set(VARIABLES["shared"]), set(VARIABLES["host_variables"]), set(VARIABLES["internal"])]
    assert not (groups[0] & groups[1] or groups[0] & groups[2] or groups[1] & groups[2])
    everywhere = set()
    for playbook in PLAYBOOKS:
        everywhere |= referenced(playbook)
    for path in glob.glob(os.path.join(ROOT, "plugins", "**", "*.py"), recursive=True):
        everywhere |= set(NAME.findall(read(path)))  # host variables the inventory plugins set
    for name in VARIABLES["host_variables"] + VARIABLES["internal"]:
        assert name in everywhere or name == "support_access", name


def job_templates():
    return {t["awx.awx.job_template"]["name"]: t["awx.awx.job_template"] for t in TASKS if "awx.awx.job_template" in t}


def jinja_names(value):
    env = jinja2.Environment(autoescape=False)  # nosec: parsing only
    names = set()
    for text in (value if isinstance(value, list) else [value]):
        if isinstance(text, str):
            names |= jinja2.meta.find_undeclared_variables(env.parse(text))
    return names


def test_job_templates_set_only_variables_their_playbook_accepts():
    templates = job_templates()
    assert {os.path.basename(t["playbook"])[:-4] for t in templates.values()} == {
        "audit", "report_merge", "enable", "revoke", "expire"}
    setup_vars = set(SETUP[0]["vars"])
    for name, template in templates.items():
        playbook = os.path.basename(template["playbook"])[:-4]
        assert template["playbook"] == "playbooks/%s.yml" % playbook and os.path.isfile(os.path.join(ROOT, template["playbook"]))
        given = dict(template.get("extra_vars") or {})
        survey = template.get("survey_spec", {}).get("spec", [])
        for question in survey:
            given[question["variable"]] = question.get("default")
        unknown = set(given) - accepted(playbook)
        assert not unknown, "%s sets variables %s does not read: %s" % (name, playbook, sorted(unknown))
        for value in given.values():
            # values AWX templates per job may use what AWX injects, the other variables and Jinja's now()
            used = jinja_names(value) - {"now"}
            assert used <= set(VARIABLES["awx_variables"]) | setup_vars, (name, value)
        assert bool(survey) == bool(template.get("survey_enabled")), name


def test_job_templates_cover_slicing_surveys_and_schedules():
    templates = job_templates()
    by_playbook = {os.path.basename(t["playbook"])[:-4]: t for t in templates.values()}
    audit = by_playbook["audit"]
    assert str(audit["job_slice_count"]) == "{{ support_access_awx_audit_slices }}"
    assert int(SETUP[0]["vars"]["support_access_awx_audit_slices"]) > 1
    # each slice its own report; the merge reads exactly the slices' directory
    assert "awx_job_id" in jinja_names(audit["extra_vars"]["support_access_report_basename"])
    merge = by_playbook["report_merge"]["extra_vars"]
    assert merge["support_access_report_sources"] == [audit["extra_vars"]["support_access_report_dir"] + "/slice-*.json"]

    def survey(playbook):
        return {q["variable"]: q for q in by_playbook[playbook]["survey_spec"]["spec"]}

    enable = survey("enable")
    assert {"support_access_hosts", "support_access_ticket", "support_access_roles", "support_access_duration"} <= set(enable)
    assert enable["support_access_hosts"]["required"] and enable["support_access_ticket"]["required"]
    assert enable["support_access_roles"]["type"] == "multiselect"
    assert set(enable["support_access_roles"]["choices"]) == {"readonly", "operator"}
    revoke = survey("revoke")
    assert revoke["support_access_confirm"]["default"] == "false" and revoke["support_access_confirm"]["required"]
    assert by_playbook["expire"]["extra_vars"]["support_access_expire_confirm"] is True

    schedules = {t["awx.awx.schedule"]["unified_job_template"]: t["awx.awx.schedule"]["rrule"]
                 for t in TASKS if "awx.awx.schedule" in t}
    expire_name = [n for n, t in templates.items() if t is by_playbook["expire"]][0]
    assert schedules[expire_name].endswith("RRULE:FREQ=MINUTELY;INTERVAL=15")
    workflows = {t["awx.awx.workflow_job_template"]["name"]: t["awx.awx.workflow_job_template"]
                 for t in TASKS if "awx.awx.workflow_job_template" in t}
    daily = [name for name, rrule in schedules.items() if rrule.endswith("RRULE:FREQ=DAILY;INTERVAL=1")]
    assert len(daily) == 1 and daily[0] in workflows
    nodes = {n["identifier"]: n for n in workflows[daily[0]]["workflow_nodes"]}
    audit_name = [n for n, t in templates.items() if t is audit][0]
    merge_name = [n for n, t in templates.items() if t is by_playbook["report_merge"]][0]
    first = [n for n in nodes.values() if n["unified_job_template"]["name"] == audit_name][0]
    after = [nodes[x["identifier"]]["unified_job_template"]["name"] for x in first["related"]["always_nodes"]]
    assert after == [merge_name]


CREDENTIAL_TYPES = sorted(glob.glob(os.path.join(AWX, "credential_types", "*.yml")))


def render_env(credential_type, inputs, filename="/runner/env/kubeconfig"):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # nosec: no HTML
    values = dict(inputs, tower={"filename": filename})
    return {k: env.from_string(v).render(**values) for k, v in credential_type["injectors"].get("env", {}).items()}


@pytest.mark.parametrize("path", CREDENTIAL_TYPES, ids=os.path.basename)
def test_credential_type_injectors_use_only_defined_inputs(path):
    ctype = load(path)
    assert set(ctype) >= {"name", "kind", "inputs", "injectors"}
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    assert set(ctype["inputs"].get("required", [])) <= set(fields)
    used = set()
    for value in list(ctype["injectors"].get("env", {}).values()) + list(ctype["injectors"].get("file", {}).values()):
        used |= jinja_names(value)
    allowed = set(fields) | ({"tower"} if "file" in ctype["injectors"] else set())
    assert used <= allowed, sorted(used - allowed)
    assert set(fields) <= used, "inputs never injected: %s" % sorted(set(fields) - used)


def test_crusoe_credential_injects_what_the_crusoe_client_reads(tmp_path):
    ctype = load(os.path.join(AWX, "credential_types", "crusoe.yml"))
    env = render_env(ctype, {"access_key_id": "AKID", "secret_key": "s3cret", "api_endpoint": "https://crusoe.example/v1",
                             "default_project": "ml"})
    assert sorted(env) == sorted(["CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", "CRUSOE_API_ENDPOINT", "CRUSOE_DEFAULT_PROJECT"])
    assert set(env) <= set(_crusoe_api.ENV_VARS)
    config = _crusoe_api.resolve_config({"config_file": str(tmp_path / "missing.toml")}, environ=env)
    assert (config["access_key_id"], config["secret_key"], config["api_endpoint"], config["project"]) == (
        "AKID", "s3cret", "https://crusoe.example/v1", "ml")
    assert config["sources"]["secret_key"] == "env CRUSOE_SECRET_KEY"
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    assert fields["secret_key"].get("secret") is True and not fields["access_key_id"].get("secret")
    # fields left empty are injected as empty strings, which the client treats as unset (file profile, defaults)
    empty = render_env(ctype, {"access_key_id": "AKID", "secret_key": "s3cret", "api_endpoint": "", "default_project": ""})
    config = _crusoe_api.resolve_config({"config_file": str(tmp_path / "missing.toml")}, environ=empty)
    assert config["project"] is None and config["api_endpoint"] == _crusoe_api.DEFAULT_API_ENDPOINT


def test_crusoe_service_account_credential_injects_what_the_crusoe_client_reads(tmp_path):
    ctype = load(os.path.join(AWX, "credential_types", "crusoe_service_account.yml"))
    inputs = {"client_id": "sa-ci", "client_secret": "sa-s3cret", "token_url": "https://auth.example/oauth2/token",
              "api_endpoint": "https://crusoe.example/v1", "default_project": "ml"}
    env = render_env(ctype, inputs)
    assert sorted(env) == sorted(["CRUSOE_CLIENT_ID", "CRUSOE_CLIENT_SECRET", "CRUSOE_TOKEN_URL", "CRUSOE_API_ENDPOINT",
                                  "CRUSOE_DEFAULT_PROJECT"])
    assert set(env) <= set(_crusoe_api.ENV_VARS)
    config = _crusoe_api.resolve_config({"config_file": str(tmp_path / "missing.toml")}, environ=env)
    assert config["auth"] == _crusoe_api.AUTH_SERVICE_ACCOUNT
    assert (config["client_id"], config["client_secret"], config["token_url"], config["api_endpoint"], config["project"]) == (
        "sa-ci", "sa-s3cret", "https://auth.example/oauth2/token", "https://crusoe.example/v1", "ml")
    assert config["sources"]["client_secret"] == "env CRUSOE_CLIENT_SECRET"
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    assert fields["client_secret"].get("secret") is True
    assert not any(f.get("secret") for name, f in fields.items() if name != "client_secret")
    assert set(ctype["inputs"]["required"]) == {"client_id", "client_secret"}
    # an empty token URL is the default one; and a job that also has the access key credential logs in as the
    # service account (both come from the environment: the service account wins)
    empty = render_env(ctype, dict(inputs, token_url="", api_endpoint="", default_project=""))
    key = render_env(load(os.path.join(AWX, "credential_types", "crusoe.yml")),
                     {"access_key_id": "AKID", "secret_key": "s3cret", "api_endpoint": "", "default_project": ""})
    config = _crusoe_api.resolve_config({"config_file": str(tmp_path / "missing.toml")}, environ=dict(key, **empty))
    assert config["token_url"] == _crusoe_api.DEFAULT_TOKEN_URL and config["auth"] == _crusoe_api.AUTH_SERVICE_ACCOUNT


def test_setup_creates_the_service_account_credential_type_and_prefers_it():
    create = next(t for t in TASKS if "awx.awx.credential_type" in t)
    assert "'crusoe_service_account.yml'" in create["loop"]
    for name in (os.path.basename(p) for p in CREDENTIAL_TYPES):
        assert "'%s'" % name in create["loop"], name
    assert SETUP[0]["vars"]["support_access_awx_credentials"][0] == "crusoe-service-account"


def test_coreweave_credential_injects_what_the_coreweave_client_reads():
    ctype = load(os.path.join(AWX, "credential_types", "coreweave.yml"))
    env = render_env(ctype, {"api_token": "cw-token"})
    assert env == {_coreweave.ENV_TOKEN: "cw-token"} and _coreweave.ENV_TOKEN == "COREWEAVE_API_TOKEN"
    assert _coreweave.resolve_config({}, environ=env)["api_token"] == "cw-token"
    assert [f.get("secret") for f in ctype["inputs"]["fields"] if f["id"] == "api_token"] == [True]


def test_kubeconfig_credential_feeds_kubernetes_core_auth(monkeypatch):
    ctype = load(os.path.join(AWX, "credential_types", "fleet_kubeconfig.yml"))
    assert "file" in ctype["injectors"]
    env = render_env(ctype, {"kubeconfig": "apiVersion: v1"}, filename="/runner/env/tmpkube")
    assert env == {"K8S_AUTH_KUBECONFIG": "/runner/env/tmpkube"}
    # kubernetes.core's modules (helm, k8s) and the collection's Kubernetes modules fall back to it
    assert HELM_AUTH_ARG_SPEC["kubeconfig"]["fallback"] == (env_fallback, ["K8S_AUTH_KUBECONFIG"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert k8s_client._create_auth_spec()["kubeconfig"] == "/runner/env/tmpkube"  # pylint: disable=protected-access
    assert _kube.connection_params({})["kubeconfig"] == "/runner/env/tmpkube"


def test_execution_environment_example_parses():
    definition = load(os.path.join(AWX, "execution-environment.yml"))
    assert definition["version"] == 3
    for build_file in definition["additional_build_files"]:
        assert os.path.isfile(os.path.join(AWX, build_file["src"])), build_file
