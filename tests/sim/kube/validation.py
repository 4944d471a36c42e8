# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field validation of built-in objects against the OpenAPI schemas of sim.kube.schema (fieldValidation=Strict|Warn).

kube-apiserver decodes built-in objects into Go structs: a field the type does not have is an error with
fieldValidation=Strict (what kubectl sends), a "Warning: 299" header with Warn (the default) and silence with Ignore.
"""

from sim.kube import schema

REF = "#/components/schemas/"


def _resolve(node):
    seen = 0
    while isinstance(node, dict) and seen < 10:
        seen += 1
        if "$ref" in node:
            node = schema.builtin_component(node["$ref"][len(REF):])
        elif len(node.get("allOf") or []) == 1 and "properties" not in node:
            node = node["allOf"][0]
        else:
            break
    return node


def unknown_fields(rt, obj):
    """Paths of fields obj has that its built-in type does not, as kube-apiserver names them ("spec.foo")."""
    name = getattr(rt, "schema_name", "")
    if not name or getattr(rt, "crd", ""):
        return []
    try:
        root = schema.builtin_component(name)
    except (KeyError, ValueError):
        return []
    found = []
    _walk(root, obj, "", found)
    return found


def _walk(node, value, path, found):
    node = _resolve(node)
    if not isinstance(node, dict) or node.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        for key, sub in value.items():
            child = "%s.%s" % (path, key) if path else key
            if props is not None and key in props:
                _walk(props[key], sub, child, found)
            elif isinstance(extra, dict):
                _walk(extra, sub, child, found)
            elif props is not None and extra is not True:
                found.append(child)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _walk(node["items"], item, "%s[%d]" % (path, i), found)
