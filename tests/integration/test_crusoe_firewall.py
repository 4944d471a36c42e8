"""crusoe_firewall_rule(_info) and crusoe_support_firewall through real ansible-playbook against the simulator."""

RULE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: rule
      neocloud.support_access.crusoe_firewall_rule: "{{ rule_args }}"
"""

SUPPORT_FW = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: support firewall
      neocloud.support_access.crusoe_support_firewall:
        cluster: "{{ cluster }}"
        state: "{{ state | default('present') }}"
        rule: "{{ rule | default(omit) }}"
"""

TRAINING_RULE = "f1000000-0000-4000-8000-000000000001"
INFERENCE_RULE = "f1000000-0000-4000-8000-000000000002"


def _rules_named(sim, name):
    return [r for r in sim.state["firewall_rules"].values() if r["name"] == name]


def test_firewall_rule_lifecycle(ansible_playbook, crusoe_sim, crusoe_env):
    create = {"name": "office-api", "vpc_network": "ml-vpc", "sources": ["203.0.113.9", "198.51.100.0/24"],
              "destination_ports": ["443", "*"]}
    res = ansible_playbook(RULE, env=crusoe_env, check=True, diff=True, extra_vars={"rule_args": create})
    assert res.rc == 0, res.stdout
    assert res.changed == 1
    assert crusoe_sim.writes() == []
    assert _rules_named(crusoe_sim, "office-api") == []
    predicted = res.result("rule")["result"]["firewall_rule"]
    assert predicted["sources"] == ["203.0.113.9/32", "198.51.100.0/24"]
    assert predicted["destination_ports"] == ["443", "1-65535"]

    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": create})
    assert res.rc == 0, res.stdout
    created = _rules_named(crusoe_sim, "office-api")
    assert len(created) == 1
    assert created[0]["sources"] == [{"cidr": "203.0.113.9/32"}, {"cidr": "198.51.100.0/24"}]
    assert created[0]["action"] == "allow" and created[0]["direction"] == "ingress"
    result = res.result("rule")["result"]
    assert result["operation"]["state"] == "SUCCEEDED"
    assert result["firewall_rule"]["id"] == created[0]["id"]
    # the operation stayed IN_PROGRESS for two polls and the module waited for it
    polls = [e for e in crusoe_sim.request_log() if "/operations/" in e["path"]]
    assert len(polls) == 2

    crusoe_sim.clear_log()
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": create})
    assert res.rc == 0 and res.changed == 0
    assert crusoe_sim.writes() == []

    # append one source: the others stay
    res = ansible_playbook(RULE, env=crusoe_env, diff=True, extra_vars={"rule_args": {
        "name": "office-api", "sources": ["4.7.95.218"], "sources_mode": "append"}})
    assert res.changed == 1
    assert [s["cidr"] for s in created[0]["sources"]] == ["203.0.113.9/32", "198.51.100.0/24", "4.7.95.218/32"]
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {
        "name": "office-api", "sources": ["4.7.95.218/32"], "sources_mode": "append"}})
    assert res.changed == 0

    # remove one source: the others stay
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {
        "name": "office-api", "sources": ["203.0.113.9"], "sources_mode": "remove"}})
    assert res.changed == 1
    rule = crusoe_sim.state["firewall_rules"][created[0]["id"]]
    assert [s["cidr"] for s in rule["sources"]] == ["198.51.100.0/24", "4.7.95.218/32"]

    # replace (the default) and a port change in one PATCH
    crusoe_sim.clear_log()
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {
        "name": "office-api", "sources": ["10.1.0.0/16"], "destination_ports": ["6443"]}})
    assert res.changed == 1
    patches = [w for w in crusoe_sim.writes() if w["method"] == "PATCH"]
    assert len(patches) == 1 and set(patches[0]["body"]) == {"sources", "destination_ports"}
    assert rule["sources"] == [{"cidr": "10.1.0.0/16"}] and rule["destination_ports"] == ["6443"]

    # info
    info = ansible_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: info
      neocloud.support_access.crusoe_firewall_rule_info:
        vpc_network: ml-vpc
""", env=crusoe_env)
    names = sorted(r["name"] for r in info.result("info")["result"]["firewall_rules"])
    assert names == ["cmk-cp-api-access-cp-cd5b0b6e", "office-api"]

    # delete: check mode, then for real, then again
    crusoe_sim.clear_log()
    res = ansible_playbook(RULE, env=crusoe_env, check=True, extra_vars={"rule_args": {"name": "office-api", "state": "absent"}})
    assert res.changed == 1 and crusoe_sim.writes() == []
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {"name": "office-api", "state": "absent"}})
    assert res.changed == 1 and _rules_named(crusoe_sim, "office-api") == []
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {"name": "office-api", "state": "absent"}})
    assert res.rc == 0 and res.changed == 0


def test_firewall_rule_bad_input(ansible_playbook, crusoe_sim, crusoe_env):
    cases = [
        ({"name": "x", "vpc_network": "ml-vpc", "sources": ["10.0.0.300"]}, "invalid CIDR or IP address '10.0.0.300' in sources"),
        ({"name": "x", "vpc_network": "ml-vpc", "sources": ["10.0.0.1/24"]}, "has host bits set"),
        ({"name": "x", "vpc_network": "ml-vpc", "sources": ["10.0.0.0/8"], "destination_ports": ["70000"]},
         "invalid port '70000' in destination_ports"),
        ({"name": "x", "vpc_network": "ml-vpc", "sources": ["10.0.0.0/8"], "source_ports": ["9-1"]},
         "invalid port '9-1' in source_ports"),
        ({"id": TRAINING_RULE, "direction": "egress"}, "option direction: firewall rule 'cmk-cp-api-access-cp-cd5b0b6e' has "
                                                       "direction ingress and it cannot be changed"),
        ({"id": TRAINING_RULE, "vpc_network": "ml-vpc-2"}, "option vpc_network"),
        ({"name": "nope", "sources": ["10.0.0.0/8"]}, "creating it needs option(s) vpc_network"),
        ({"name": "nope", "sources": ["10.0.0.0/8"], "sources_mode": "remove"}, "sources_mode=remove needs an existing rule"),
        ({"name": "x", "vpc_network": "no-such-vpc", "sources": ["10.0.0.0/8"]}, "VPC network 'no-such-vpc' (option vpc_network)"),
        ({"id": TRAINING_RULE, "sources": ["203.0.113.0/24", "198.51.100.7/32"], "sources_mode": "remove"},
         "without any source"),
    ]
    for args, expected in cases:
        res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": args})
        assert res.rc != 0, args
        msg = res.result("rule")["result"]["msg"]
        assert expected in msg, (args, msg)
    assert crusoe_sim.writes() == []


def test_operation_failed_reports_code_and_message(ansible_playbook, crusoe_sim, crusoe_env):
    crusoe_sim.inject(r"/vpc-firewall-rules/", method="PATCH", fail_operation={
        "code": "quota_exceeded", "message": "too many sources on rule"})
    res = ansible_playbook(RULE, env=crusoe_env, extra_vars={"rule_args": {
        "id": TRAINING_RULE, "sources": ["4.7.95.218"], "sources_mode": "append"}})
    assert res.rc != 0
    result = res.result("rule")["result"]
    assert "FAILED: too many sources on rule (code quota_exceeded)" in result["msg"]
    assert result["error"]["code"] == "quota_exceeded"
    assert [s["cidr"] for s in crusoe_sim.state["firewall_rules"][TRAINING_RULE]["sources"]] == [
        "203.0.113.0/24", "198.51.100.7/32"]


def test_support_firewall_adds_and_removes_only_support_address(ansible_playbook, crusoe_sim, crusoe_env):
    rule = crusoe_sim.state["firewall_rules"][TRAINING_RULE]
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, check=True, diff=True, extra_vars={"cluster": "training-prod"})
    assert res.rc == 0, res.stdout
    result = res.result("support firewall")["result"]
    assert res.changed == 1 and crusoe_sim.writes() == []
    assert result["support_source_needed"] is True
    assert result["diff"]["after"]["sources"] == ["203.0.113.0/24", "198.51.100.7/32", "4.7.95.218/32"]

    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod"})
    assert res.changed == 1 and "diff" not in res.result("support firewall")["result"]  # a diff only under --diff
    assert [s["cidr"] for s in rule["sources"]] == ["203.0.113.0/24", "198.51.100.7/32", "4.7.95.218/32"]
    assert res.result("support firewall")["result"]["support_source_present"] is True

    crusoe_sim.clear_log()
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod"})
    assert res.rc == 0 and res.changed == 0 and crusoe_sim.writes() == []

    # somebody adds another source meanwhile; absent removes only the support address
    rule["sources"].append({"cidr": "192.0.2.0/24"})
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, check=True, extra_vars={"cluster": "training-prod", "state": "absent"})
    assert res.changed == 1 and crusoe_sim.writes() == []
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod", "state": "absent"})
    assert res.changed == 1
    assert [s["cidr"] for s in rule["sources"]] == ["203.0.113.0/24", "198.51.100.7/32", "192.0.2.0/24"]
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod", "state": "absent"})
    assert res.changed == 0


def test_support_firewall_open_rule_needs_nothing(ansible_playbook, crusoe_sim, crusoe_env):
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "inference"})
    assert res.rc == 0, res.stdout
    result = res.result("support firewall")["result"]
    assert res.changed == 0
    assert result["support_source_needed"] is False
    assert result["covered_by"] == "0.0.0.0/0"
    assert "no support source needed" in result["msg"]
    assert crusoe_sim.writes() == []


def test_support_firewall_ambiguous_rule_and_cluster(ansible_playbook, crusoe_sim, crusoe_env):
    env = dict(crusoe_env, CRUSOE_DEFAULT_PROJECT="research")
    res = ansible_playbook(SUPPORT_FW, env=env, extra_vars={"cluster": "cd5b0b6e-0000-4000-8000-000000000003"})
    assert res.rc != 0
    msg = res.result("support firewall")["result"]["msg"]
    assert "cannot identify the control-plane API firewall rule" in msg
    assert "cmk-cp-api-access-cp-aaaa0003" in msg and "cmk-cp-api-access-cp-bbbb0004" in msg

    res = ansible_playbook(SUPPORT_FW, env=env, extra_vars={
        "cluster": "cd5b0b6e-0000-4000-8000-000000000003", "rule": "cmk-cp-api-access-cp-bbbb0004"})
    assert res.rc == 0 and res.changed == 1
    assert {"cidr": "4.7.95.218/32"} in crusoe_sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000004"]["sources"]
    assert {"cidr": "4.7.95.218/32"} not in crusoe_sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000003"]["sources"]

    res = ansible_playbook(SUPPORT_FW, env=env, extra_vars={"cluster": "dup"})
    assert res.rc != 0
    msg = res.result("support firewall")["result"]["msg"]
    assert "cluster name 'dup' is ambiguous in project 'research'" in msg
    assert "cd5b0b6e-0000-4000-8000-000000000003" in msg and "cd5b0b6e-0000-4000-8000-000000000004" in msg


def test_support_firewall_rule_by_id_reads_one_rule_and_checks_its_network(ansible_playbook, crusoe_sim, crusoe_env):
    """A rule UUID (as the inventory plugin sets it) is read with one GET, no listing of the project's rules; a rule of
    another VPC network or an unknown id is refused, naming the option."""
    crusoe_sim.clear_log()
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod", "rule": TRAINING_RULE})
    assert res.rc == 0 and res.changed == 1, res.stdout
    paths = [(e["method"], e["path"].split("?")[0]) for e in crusoe_sim.request_log()]
    assert not [p for m, p in paths if m == "GET" and p.endswith("/vpc-firewall-rules")]
    assert ("GET", "/v1/projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules/" + TRAINING_RULE) in paths
    assert {"cidr": "4.7.95.218/32"} in crusoe_sim.state["firewall_rules"][TRAINING_RULE]["sources"]

    crusoe_sim.clear_log()
    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={"cluster": "training-prod", "rule": INFERENCE_RULE})
    assert res.rc != 0 and crusoe_sim.writes() == []
    msg = res.result("support firewall")["result"]["msg"]
    assert msg.startswith("option rule: firewall rule 'cmk-cp-api-access-cp-9e8d7c6b'") and "of cluster 'training-prod'" in msg

    res = ansible_playbook(SUPPORT_FW, env=crusoe_env, extra_vars={
        "cluster": "training-prod", "rule": "f1000000-0000-4000-8000-0000000000ff"})
    assert res.rc != 0 and crusoe_sim.writes() == []
    msg = res.result("support firewall")["result"]["msg"]
    assert "option rule: firewall rule f1000000-0000-4000-8000-0000000000ff not found" in msg and "refresh the inventory" in msg
