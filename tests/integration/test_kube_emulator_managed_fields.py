"""Field ownership changes are real writes, as on kube-apiserver."""

import json

CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  namespace: default
data:
  a: "1"
"""


def _managers(kube_cluster):
    obj = json.loads(kube_cluster.kubectl("get", "configmap", "owned", "-n", "default", "-o", "json",
                                          "--show-managed-fields").stdout)
    return {(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields", [])}, obj


def test_server_side_apply_of_unchanged_values_records_the_new_owner(kube_cluster):
    kube_cluster.kubectl("create", "-f", "-", input_text=CM)
    before, obj_before = _managers(kube_cluster)
    assert ("kubectl-create", "Update") in before
    kube_cluster.kubectl("apply", "--server-side", "-f", "-", input_text=CM)
    after, obj_after = _managers(kube_cluster)
    assert ("kubectl", "Apply") in after
    assert obj_after["metadata"]["resourceVersion"] != obj_before["metadata"]["resourceVersion"]
    # Applying the same configuration again is a true no-op: nothing changes, not even the resourceVersion.
    kube_cluster.kubectl("apply", "--server-side", "-f", "-", input_text=CM)
    obj_again = _managers(kube_cluster)[1]
    assert obj_again["metadata"]["resourceVersion"] == obj_after["metadata"]["resourceVersion"]


def test_apply_conflict_is_answered_with_status_causes(kube_cluster):
    kube_cluster.kubectl("apply", "--server-side", "--field-manager", "first", "-f", "-", input_text=CM)
    proc = kube_cluster.kubectl("apply", "--server-side", "--field-manager", "second", "-f", "-",
                                input_text=CM.replace('a: "1"', 'a: "2"'), check=False)
    assert proc.returncode != 0
    assert 'conflict with "first"' in proc.stderr
    assert ".data.a" in proc.stderr
