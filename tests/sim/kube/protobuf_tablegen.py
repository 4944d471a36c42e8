# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes sim/kube/protobuf_types.py, the protobuf field tables of the emulator, from the Go API types.

Development tool, not imported by the emulator. Every field of a Kubernetes API struct carries its protobuf number
and wire form in its struct tag (``json:"containers" protobuf:"bytes,2,rep,name=containers"``), so the tables
follow mechanically from the ``types.go`` files of k8s.io/api and k8s.io/apimachinery:

    PYTHONPATH=tests python -m sim.kube.protobuf_tablegen --api K8S_IO_API_DIR \\
        --apimachinery K8S_IO_APIMACHINERY_DIR --version v0.37.0-beta.0 > tests/sim/kube/protobuf_types.py

Only the messages reachable from ROOTS (the kinds the emulator serves, their lists, and the kinds of their
subresources) are written. Field spec: ``NUMBER JSONNAME TYPE``; TYPE is ``*`` (a Go pointer, or a field without
omitempty: a zero value on the wire stays in JSON) and ``^`` (an embedded struct inlined into its parent) followed by
``[]X`` (repeated), ``{X}`` (map with string keys) or ``X``; X is a scalar (``s`` string, ``b`` bool, ``i32``,
``i64``, ``f64``, ``bytes``) a special message with a JSON scalar form (``t`` Time, ``mt`` MicroTime, ``q``
Quantity, ``ios`` IntOrString, ``dur`` Duration, ``fv1`` FieldsV1, ``raw`` RawExtension), a list ``[]X`` (a map value
wrapped in a message of its own, like ExtraValue) or ``pkg.Name``.
"""

import argparse
import os
import re
import sys

# package short name -> (module root, path of types.go, apiVersion sent in the protobuf envelope)
PACKAGES = {
    "meta": ("apimachinery", "pkg/apis/meta/v1/types.go", "meta.k8s.io/v1"),
    "core": ("api", "core/v1/types.go", "v1"),
    "apps": ("api", "apps/v1/types.go", "apps/v1"),
    "batch": ("api", "batch/v1/types.go", "batch/v1"),
    "rbac": ("api", "rbac/v1/types.go", "rbac.authorization.k8s.io/v1"),
    "authz": ("api", "authorization/v1/types.go", "authorization.k8s.io/v1"),
    "authn": ("api", "authentication/v1/types.go", "authentication.k8s.io/v1"),
    "fc": ("api", "flowcontrol/v1/types.go", "flowcontrol.apiserver.k8s.io/v1"),
    "coord": ("api", "coordination/v1/types.go", "coordination.k8s.io/v1"),
    "events": ("api", "events/v1/types.go", "events.k8s.io/v1"),
    "policy": ("api", "policy/v1/types.go", "policy/v1"),
    "autoscaling": ("api", "autoscaling/v1/types.go", "autoscaling/v1"),
    "storage": ("api", "storage/v1/types.go", "storage.k8s.io/v1"),
    "certs": ("api", "certificates/v1/types.go", "certificates.k8s.io/v1"),
    "admreg": ("api", "admissionregistration/v1/types.go", "admissionregistration.k8s.io/v1"),
    "discovery": ("api", "discovery/v1/types.go", "discovery.k8s.io/v1"),
}
IMPORT_PACKAGES = {
    "k8s.io/apimachinery/pkg/apis/meta/v1": "meta",
    "k8s.io/api/core/v1": "core",
    "k8s.io/api/autoscaling/v1": "autoscaling",
}
# Go types with a JSON form other than an object
SPECIAL = {
    "meta.Time": "t", "meta.MicroTime": "mt", "meta.Duration": "dur", "meta.FieldsV1": "fv1",
    "resource.Quantity": "q", "intstr.IntOrString": "ios", "runtime.RawExtension": "raw", "types.UID": "s",
}
SCALARS = {"string": "s", "bool": "b", "int32": "i32", "int64": "i64", "float64": "f64", "[]byte": "bytes"}

# the kinds whose messages are written, by package (every served kind with its list, plus subresource kinds)
ROOTS = {
    "meta": ("Status", "DeleteOptions"),
    "core": ("Namespace", "Pod", "Secret", "ConfigMap", "ServiceAccount", "Node", "Event", "Service", "Endpoints",
             "PersistentVolumeClaim", "PersistentVolume", "ReplicationController", "Binding"),
    "apps": ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"),
    "batch": ("Job", "CronJob"),
    "rbac": ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"),
    "authz": ("SubjectAccessReview", "SelfSubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectRulesReview"),
    "authn": ("SelfSubjectReview", "TokenRequest", "TokenReview"),
    "fc": ("FlowSchema", "PriorityLevelConfiguration"),
    "coord": ("Lease",),
    "events": ("Event",),
    "policy": ("PodDisruptionBudget", "Eviction"),
    "autoscaling": ("Scale",),
    "storage": ("StorageClass",),
    "certs": ("CertificateSigningRequest",),
    "admreg": ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
    "discovery": ("EndpointSlice",),
}
# kinds served as collections: their List kinds are written too
NO_LIST = {"meta.Status", "meta.DeleteOptions", "core.Binding", "authz.SubjectAccessReview",
           "authz.SelfSubjectAccessReview", "authz.LocalSubjectAccessReview", "authz.SelfSubjectRulesReview",
           "authn.SelfSubjectReview", "authn.TokenRequest", "authn.TokenReview", "policy.Eviction",
           "autoscaling.Scale"}

_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.\[\]*]+)\s+`([^`]*)`\s*(?://.*)?$")
_TAG = re.compile(r'(\w+):"([^"]*)"')


class GoPackage:
    """The type declarations of one types.go: structs (field lists) and named non-struct types."""

    def __init__(self, name, text):
        self.name = name
        self.structs = {}
        self.named = {}
        self.imports = {}
        self._parse(text)

    def _parse(self, text):
        for alias, path in re.findall(r'^\s*(\w+)?\s*"([\w./-]+)"\s*$', text, re.M):
            self.imports[alias or path.rsplit("/", 1)[-1]] = path
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            m = re.match(r"^type (\w+) struct \{\s*$", line)
            if m:
                fields = []
                i += 1
                while not lines[i].startswith("}"):
                    fm = _FIELD.match(lines[i])
                    if fm and not lines[i].strip().startswith("//"):
                        fields.append(fm.groups())
                    i += 1
                self.structs[m.group(1)] = fields
            else:
                m = re.match(r"^type (\w+) (?:= )?([\w.\[\]*]+)\s*(?://.*)?$", line)
                if m:
                    self.named[m.group(1)] = m.group(2)
            i += 1


class Generator:
    """Resolves Go types into table specs and walks the closure of ROOTS."""

    def __init__(self, packages):
        self.packages = packages
        self.messages = {}

    def _qualify(self, pkg, name):
        """(package short name, type name) of a possibly qualified Go type name used in pkg."""
        if "." in name:
            alias, short = name.split(".", 1)
            path = self.packages[pkg].imports.get(alias, alias)
            return IMPORT_PACKAGES.get(path, path.rsplit("/", 1)[-1]), short
        return pkg, name

    def spec(self, pkg, gotype, where):
        """Table spec of a Go type (without the * and ^ flags)."""
        if gotype.startswith("*"):
            return self.spec(pkg, gotype[1:], where)
        if gotype in SCALARS:
            return SCALARS[gotype]
        if gotype.startswith("[]"):
            return "[]" + self.spec(pkg, gotype[2:], where)
        if gotype.startswith("map["):
            key, value = re.match(r"^map\[([\w.]+)\](.+)$", gotype).groups()
            if self.spec(pkg, key, where) != "s":
                raise SystemExit("%s: map key %s is not a string" % (where, key))
            return "{%s}" % self.spec(pkg, value, where)
        owner, name = self._qualify(pkg, gotype)
        special = SPECIAL.get("%s.%s" % (owner, name))
        if special:
            return special
        gopkg = self.packages.get(owner)
        if gopkg is None:
            raise SystemExit("%s: unknown type %s (package %s)" % (where, gotype, owner))
        if name in gopkg.structs:
            self.message(owner, name)
            return "%s.%s" % (owner, name)
        if name in gopkg.named:
            return self.spec(owner, gopkg.named[name], where)
        raise SystemExit("%s: unknown type %s" % (where, gotype))

    def message(self, pkg, name):
        full = "%s.%s" % (pkg, name)
        if full in self.messages:
            return
        self.messages[full] = None
        out = []
        for field_name, gotype, tag in self.packages[pkg].structs[name]:
            tags = dict(_TAG.findall(tag))
            proto = tags.get("protobuf")
            if not proto:
                continue
            parts = proto.split(",")
            num = int(parts[1])
            json_name, _sep, opts = tags.get("json", "").partition(",")
            if json_name == "-":
                continue
            inline = not json_name
            where = "%s.%s" % (full, field_name or gotype)
            spec = self.spec(pkg, gotype, where)
            flags = ""
            if gotype.startswith("*") or "omitempty" not in opts.split(","):
                flags += "*"
            if inline:
                flags += "^"
                json_name = parts[3][5:] if len(parts) > 3 and parts[3].startswith("name=") else gotype
            out.append((num, "%d %s %s%s" % (num, json_name, flags, spec)))
        self.messages[full] = tuple(text for _num, text in sorted(out))


def _load(roots):
    packages = {}
    for short, (module, path, _gv) in PACKAGES.items():
        with open(os.path.join(roots[module], path), encoding="utf-8") as handle:
            packages[short] = GoPackage(short, handle.read())
    return packages


def _render(messages, kinds, version):
    out = ['# Copyright: (c) 2026, neocloud.support_access maintainers',
           '# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)',
           '"""Protobuf field tables of the built-in kinds, generated by sim/kube/protobuf_tablegen.py from the',
           'types.go files of k8s.io/api and k8s.io/apimachinery %s (see that module for the field spec).' % version,
           'Do not edit."""',
           '', '# apiVersion -> (package, kinds written in that group version)', 'KINDS = {']
    for gv, (pkg, names) in kinds.items():
        out.append("    %r: (%r, (" % (gv, pkg))
        out += _wrap(["%r," % n for n in names], "        ")
        out.append("    )),")
    out += ["}", "", "# message -> field specs", "MESSAGES = {"]
    for name in sorted(messages):
        out.append("    %r: (" % name)
        out += _wrap(["%r," % f for f in messages[name]], "        ")
        out.append("    ),")
    out.append("}")
    return "\n".join(out) + "\n"


def _wrap(items, indent, width=116):
    lines, cur = [], indent
    for item in items:
        if len(cur) + len(item) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += item + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--api", required=True, help="a checkout of k8s.io/api")
    parser.add_argument("--apimachinery", required=True, help="a checkout of k8s.io/apimachinery")
    parser.add_argument("--version", required=True, help="the tag both checkouts are at (named in the output)")
    args = parser.parse_args(argv)
    gen = Generator(_load({"api": args.api, "apimachinery": args.apimachinery}))
    kinds = {}
    for pkg, names in ROOTS.items():
        written = []
        for name in names:
            gen.message(pkg, name)
            written.append(name)
            if "%s.%s" % (pkg, name) not in NO_LIST:
                gen.message(pkg, name + "List")
                written.append(name + "List")
        kinds[PACKAGES[pkg][2]] = (pkg, tuple(written))
    sys.stdout.write(_render(gen.messages, kinds, args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
