# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The crusoe-support-roles Helm chart, versions 0.1.1 and 0.2.0, as served by the chart repository simulator.

The chart creates the objects of Crusoe's published chart: four ClusterRoles (readonly, operator, logs, debug),
two ClusterRoleBindings for the support groups, per-namespace RoleBindings of the logs and debug roles in the
Crusoe-managed namespaces that exist at install time (Helm ``lookup``), and from 0.2.0 on an API Priority and
Fairness FlowSchema + PriorityLevelConfiguration ``crusoe-support`` (flowcontrol.apiserver.k8s.io/v1, rendered for
Kubernetes >= 1.29 only).

The sources are kept as Python strings: Go-template YAML is not YAML, so they must not sit in the tree as .yaml
files (every .yaml file in the repository is linted). ``chart_files()`` returns a version's files,
``write_chart()`` writes a chart directory for ``helm lint``/``helm template``, ``package_chart()`` builds the .tgz
exactly as ``helm package`` lays it out (deterministic bytes), ``index_yaml()`` the repository index.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile

import yaml

CHART_NAME = "crusoe-support-roles"
VERSIONS = ("0.1.1", "0.2.0")
# Fixed timestamps, so packages and the index are byte-for-byte reproducible.
CREATED = {"0.1.1": "2026-03-27T17:39:57Z", "0.2.0": "2026-04-16T09:00:00Z"}
HOME = "https://github.com/crusoecloud/crusoe-support-roles-helm-charts"

CLUSTER_ROLES = ("crusoe-support-readonly", "crusoe-support-operator", "crusoe-support-logs", "crusoe-support-debug")
# Namespaces of the per-namespace RoleBindings: (role, namespaces, subject groups).
NAMESPACE_BINDINGS = (
    ("crusoe-support-logs",
     ("crusoe-system", "kube-system", "nvidia-gpu-operator", "nvidia-network-operator", "kube-amd-gpu",
      "kube-amd-network", "slinky"),
     ("crusoe:support:readonly", "crusoe:support:operator")),
    ("crusoe-support-logs", ("slurm",), ("crusoe:support:operator",)),
    ("crusoe-support-debug",
     ("crusoe-system", "kube-system", "nvidia-gpu-operator", "nvidia-network-operator", "kube-amd-gpu",
      "kube-amd-network", "slinky", "slurm"),
     ("crusoe:support:operator",)),
)

CHART_YAML = """apiVersion: v2
name: crusoe-support-roles
description: A Helm chart for managing Crusoe support roles in Crusoe Managed Kubernetes (CMK) clusters.

type: application
version: {version}
appVersion: "v{version}"

kubeVersion: ">=1.17.0-0"
home: https://github.com/crusoecloud/crusoe-support-roles-helm-charts
sources:
  - https://github.com/crusoecloud/crusoe-support-roles-helm-charts
keywords:
  - crusoe
  - rbac
  - support
  - roles
maintainers:
  - name: Crusoe Cloud
    url: https://github.com/crusoecloud/crusoe-support-roles-helm-charts
"""

HELMIGNORE = """# Patterns to ignore when building packages.
.DS_Store
.git/
.gitignore
*.swp
*.bak
*.tmp
*.orig
*~
.idea/
.vscode/
"""

VALUES_BINDINGS = """# Default values for crusoe-support-roles.

# Cluster-wide role bindings (ClusterRoleBindings named <roleName>-binding).
roleBindings:
  enabled: true
  bindings:
    - roleName: crusoe-support-readonly
      subjects:
        - kind: Group
          name: crusoe:support:readonly
          apiGroup: rbac.authorization.k8s.io
    - roleName: crusoe-support-operator
      subjects:
        - kind: Group
          name: crusoe:support:operator
          apiGroup: rbac.authorization.k8s.io

# Namespace-scoped role bindings (RoleBindings named <roleName>-binding), created only in the listed
# namespaces that exist when the chart is installed or upgraded.
namespaceRoleBindings:
  enabled: true
  bindings:
{namespace_bindings}
"""

VALUES_APF = """
# API Priority and Fairness: a FlowSchema + PriorityLevelConfiguration that caps the concurrency the API server
# gives the support groups (Kubernetes >= 1.29, flowcontrol.apiserver.k8s.io/v1).
apiPriorityAndFairness:
  enabled: true
  name: crusoe-support
  nominalConcurrencyShares: 10
  subjects:
    - kind: Group
      name: crusoe:support:readonly
    - kind: Group
      name: crusoe:support:operator
"""

VALUES_COMMON = """
# Labels applied to every object.
commonLabels:
  crusoe.ai/managed: "true"

# Annotations applied to every object.
commonAnnotations: {}
"""

HELPERS_TPL = """{{/*
Chart name.
*/}}
{{- define "crusoe-support-roles.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "crusoe-support-roles.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "crusoe-support-roles.labels" -}}
helm.sh/chart: {{ include "crusoe-support-roles.chart" . }}
{{ include "crusoe-support-roles.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "crusoe-support-roles.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crusoe-support-roles.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Read-only rules, shared by the readonly and operator roles.
*/}}
{{- define "crusoe-support-roles.readonlyRules" -}}
- apiGroups: [""]
  resources:
    - pods
    - services
    - endpoints
    - configmaps
    - persistentvolumeclaims
    - persistentvolumes
    - nodes
    - namespaces
    - events
    - resourcequotas
    - limitranges
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources:
    - deployments
    - daemonsets
    - statefulsets
    - replicasets
  verbs: ["get", "list", "watch"]
- apiGroups: ["batch"]
  resources:
    - jobs
    - cronjobs
  verbs: ["get", "list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources:
    - networkpolicies
  verbs: ["get", "list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources:
    - endpointslices
  verbs: ["get", "list", "watch"]
- apiGroups: ["policy"]
  resources:
    - poddisruptionbudgets
  verbs: ["get", "list", "watch"]
- apiGroups: ["storage.k8s.io"]
  resources:
    - storageclasses
    - volumeattachments
  verbs: ["get", "list", "watch"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources:
    - roles
    - rolebindings
    - clusterroles
    - clusterrolebindings
  verbs: ["get", "list", "watch"]
- apiGroups: ["nvidia.com"]
  resources:
    - clusterpolicies
    - nvidiadrivers
    - computedomains
  verbs: ["get", "list", "watch"]
- apiGroups: ["mellanox.com"]
  resources:
    - hostdevicenetworks
    - nicclusterpolicies
  verbs: ["get", "list", "watch"]
- apiGroups: ["amd.com"]
  resources:
    - deviceconfigs
    - networkconfigs
    - remediationworkflowstatuses
  verbs: ["get", "list", "watch"]
- apiGroups: ["k8s.cni.cncf.io"]
  resources:
    - network-attachment-definitions
  verbs: ["get", "list", "watch"]
- apiGroups: ["cilium.io"]
  resources:
    - ciliumnetworkpolicies
    - ciliumclusterwidenetworkpolicies
    - ciliumlocalredirectpolicies
    - ciliumenvoyconfigs
    - ciliumclusterwideenvoyconfigs
    - ciliumendpoints
    - ciliumendpointslices
    - ciliumidentities
    - ciliumnodes
    - ciliumexternalworkloads
    - ciliumloadbalancerippools
    - ciliumpodippools
    - ciliumcidrgroups
    - ciliumgatewayclassconfigs
    - ciliuml2announcementpolicies
    - ciliumnodeconfigs
  verbs: ["get", "list", "watch"]
{{- end }}
"""

CLUSTERROLE_YAML = """---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crusoe-support-readonly
  labels:
    {{- include "crusoe-support-roles.labels" . | nindent 4 }}
    crusoe.ai/support-role: "readonly"
  {{- with .Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
rules:
  {{- include "crusoe-support-roles.readonlyRules" . | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crusoe-support-operator
  labels:
    {{- include "crusoe-support-roles.labels" . | nindent 4 }}
    crusoe.ai/support-role: "operator"
  {{- with .Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
rules:
  {{- include "crusoe-support-roles.readonlyRules" . | nindent 2 }}
  # delete stuck pods
  - apiGroups: [""]
    resources:
      - pods
    verbs: ["delete"]
  # drain: evictions
  - apiGroups: [""]
    resources:
      - pods/eviction
    verbs: ["create"]
  # cordon and uncordon
  - apiGroups: [""]
    resources:
      - nodes
    verbs: ["patch"]
  # rollouts
  - apiGroups: ["apps"]
    resources:
      - deployments
      - daemonsets
      - statefulsets
      - replicasets
    verbs: ["patch"]
  # scaling
  - apiGroups: ["apps"]
    resources:
      - deployments/scale
      - statefulsets/scale
    verbs: ["patch", "update"]
  # GPU and network operator configuration
  - apiGroups: ["nvidia.com"]
    resources:
      - clusterpolicies
      - nvidiadrivers
      - computedomains
    verbs: ["patch", "update"]
  - apiGroups: ["mellanox.com"]
    resources:
      - hostdevicenetworks
      - nicclusterpolicies
    verbs: ["patch", "update"]
  - apiGroups: ["amd.com"]
    resources:
      - deviceconfigs
      - networkconfigs
      - remediationworkflowstatuses
    verbs: ["patch", "update"]
  - apiGroups: ["k8s.cni.cncf.io"]
    resources:
      - network-attachment-definitions
    verbs: ["create", "update", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crusoe-support-logs
  labels:
    {{- include "crusoe-support-roles.labels" . | nindent 4 }}
    crusoe.ai/support-role: "logs"
  {{- with .Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
rules:
  # pod logs only; bound per namespace
  - apiGroups: [""]
    resources:
      - pods
      - pods/log
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crusoe-support-debug
  labels:
    {{- include "crusoe-support-roles.labels" . | nindent 4 }}
    crusoe.ai/support-role: "debug"
  {{- with .Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
rules:
  # exec and port-forward; bound per namespace
  - apiGroups: [""]
    resources:
      - pods
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources:
      - pods/exec
      - pods/portforward
    verbs: ["create"]
"""

CLUSTERROLEBINDING_YAML = """{{- if .Values.roleBindings.enabled }}
{{- range .Values.roleBindings.bindings }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .roleName }}-binding
  labels:
    {{- include "crusoe-support-roles.labels" $ | nindent 4 }}
  {{- with $.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .roleName }}
subjects:
  {{- toYaml .subjects | nindent 2 }}
{{- end }}
{{- end }}
"""

ROLEBINDING_YAML = """{{- if .Values.namespaceRoleBindings.enabled }}
{{- range .Values.namespaceRoleBindings.bindings }}
{{- $binding := . }}
{{- range .namespaces }}
{{- /* only namespaces that exist now: lookup answers an empty map for a missing one (and under helm template) */}}
{{- if lookup "v1" "Namespace" "" . }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $binding.roleName }}-binding
  namespace: {{ . }}
  labels:
    {{- include "crusoe-support-roles.labels" $ | nindent 4 }}
  {{- with $.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $binding.roleName }}
subjects:
  {{- toYaml $binding.subjects | nindent 2 }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
"""

FLOWSCHEMA_YAML = """{{- $apf := .Values.apiPriorityAndFairness }}
{{- if and $apf.enabled (semverCompare ">=1.29-0" .Capabilities.KubeVersion.Version) }}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata:
  name: {{ $apf.name }}
  labels:
    {{- include "crusoe-support-roles.labels" $ | nindent 4 }}
  {{- with $.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: {{ $apf.nominalConcurrencyShares }}
    limitResponse:
      # queue over-limit requests instead of rejecting them
      type: Queue
      queuing:
        queues: 64
        handSize: 8
        queueLengthLimit: 50
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: {{ $apf.name }}
  labels:
    {{- include "crusoe-support-roles.labels" $ | nindent 4 }}
  {{- with $.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  priorityLevelConfiguration:
    name: {{ $apf.name }}
  distinguisherMethod:
    type: ByUser
  rules:
    - subjects:
        {{- range $apf.subjects }}
        - kind: {{ .kind }}
          {{- if eq .kind "Group" }}
          group:
            name: {{ .name }}
          {{- else if eq .kind "User" }}
          user:
            name: {{ .name }}
          {{- else if eq .kind "ServiceAccount" }}
          serviceAccount:
            namespace: {{ .namespace }}
            name: {{ .name }}
          {{- end }}
        {{- end }}
      resourceRules:
        - verbs: ["*"]
          apiGroups: ["*"]
          resources: ["*"]
          clusterScope: true
          namespaces: ["*"]
      nonResourceRules:
        - verbs: ["*"]
          nonResourceURLs: ["*"]
{{- end }}
"""

NOTES_TXT = """Thank you for installing {{ .Chart.Name }}!

Your release is named {{ .Release.Name }}.

ClusterRoles:
  - crusoe-support-readonly (read-only, no logs)
  - crusoe-support-operator (read-only + operational actions, no logs)
  - crusoe-support-logs (pod logs, bound per namespace)
  - crusoe-support-debug (pod exec and port-forward, bound per namespace)

To view the created objects:
  kubectl get clusterroles -l app.kubernetes.io/instance={{ .Release.Name }}
  kubectl get clusterrolebindings -l app.kubernetes.io/instance={{ .Release.Name }}
  kubectl get rolebindings -A -l app.kubernetes.io/instance={{ .Release.Name }}
"""


def _namespace_bindings_yaml():
    lines = []
    for role, namespaces, groups in NAMESPACE_BINDINGS:
        lines.append("    - roleName: %s" % role)
        lines.append("      namespaces:")
        lines.extend("        - %s" % ns for ns in namespaces)
        lines.append("      subjects:")
        for grp in groups:
            lines.append("        - kind: Group")
            lines.append("          name: %s" % grp)
            lines.append("          apiGroup: rbac.authorization.k8s.io")
    return "\n".join(lines)


def has_flowcontrol(version):
    """Whether a chart version carries the API Priority and Fairness objects."""
    return tuple(int(p) for p in version.split(".")) >= (0, 2, 0)


def chart_files(version):
    """{path inside the chart directory: text} for one chart version."""
    if version not in VERSIONS:
        raise ValueError("unknown %s chart version %r (known: %s)" % (CHART_NAME, version, ", ".join(VERSIONS)))
    values = VALUES_BINDINGS.format(namespace_bindings=_namespace_bindings_yaml())
    if has_flowcontrol(version):
        values += VALUES_APF
    values += VALUES_COMMON
    files = {
        "Chart.yaml": CHART_YAML.format(version=version),
        "values.yaml": values,
        ".helmignore": HELMIGNORE,
        "templates/_helpers.tpl": HELPERS_TPL,
        "templates/clusterrole.yaml": CLUSTERROLE_YAML,
        "templates/clusterrolebinding.yaml": CLUSTERROLEBINDING_YAML,
        "templates/rolebinding.yaml": ROLEBINDING_YAML,
        "templates/NOTES.txt": NOTES_TXT,
    }
    if has_flowcontrol(version):
        files["templates/flowschema.yaml"] = FLOWSCHEMA_YAML
    return files


def chart_metadata(version):
    """The parsed Chart.yaml of a version."""
    return yaml.safe_load(chart_files(version)["Chart.yaml"])


def write_chart(version, dest):
    """Write the chart directory <dest>/crusoe-support-roles for one version; returns its path."""
    root = os.path.join(str(dest), CHART_NAME)
    for rel, text in chart_files(version).items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return root


def package_filename(version):
    return "%s-%s.tgz" % (CHART_NAME, version)


def package_chart(version):
    """The chart archive as `helm package` lays it out: crusoe-support-roles/<files>, gzip; reproducible bytes."""
    files = chart_files(version)
    mtime = 1774633197  # fixed, so the digest in the index never changes
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        # helm writes Chart.yaml first, then values.yaml, then the rest
        order = ["Chart.yaml", "values.yaml"] + sorted(k for k in files if k not in ("Chart.yaml", "values.yaml"))
        for rel in order:
            data = files[rel].encode("utf-8")
            info = tarfile.TarInfo(CHART_NAME + "/" + rel)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = mtime
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=mtime) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def read_package_metadata(data):
    """Chart.yaml of a packaged chart (bytes of a .tgz)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile():
                return yaml.safe_load(tar.extractfile(member).read())
    raise ValueError("no Chart.yaml at the top of the chart archive")


def index_entry(metadata, data, url, created):
    """One entries[<name>] item of index.yaml: Chart.yaml fields + urls, created, digest (as `helm repo index`)."""
    entry = dict(metadata)
    entry["urls"] = [url]
    entry["created"] = created
    entry["digest"] = hashlib.sha256(data).hexdigest()
    return entry


def index_yaml(packages, base_url, generated="2026-04-16T09:00:00Z"):
    """index.yaml text for packages: list of (metadata, bytes, created); chart URLs are base_url/<name>-<version>.tgz."""
    entries = {}
    for metadata, data, created in packages:
        url = base_url.rstrip("/") + "/" + "%s-%s.tgz" % (metadata["name"], metadata["version"])
        entries.setdefault(metadata["name"], []).append(index_entry(metadata, data, url, created))
    for items in entries.values():
        items.sort(key=lambda e: tuple(int(p) for p in str(e["version"]).split("-", maxsplit=1)[0].split(".")), reverse=True)
    doc = {"apiVersion": "v1", "entries": entries, "generated": generated}
    return yaml.safe_dump(doc, default_flow_style=False, sort_keys=True)
