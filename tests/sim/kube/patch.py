# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Patch algorithms of the Kubernetes API emulator, as pure functions on JSON-like dicts.

- ``json_merge_patch``: RFC 7386 (application/merge-patch+json);
- ``json_patch``: RFC 6902 (application/json-patch+json);
- ``strategic_merge_patch``: k8s.io/apimachinery strategicpatch semantics for the built-in kinds
  (application/strategic-merge-patch+json);
- ``server_side_apply`` and ``update_managed_fields``: field ownership in metadata.managedFields (FieldsV1) as
  kube-apiserver keeps it (application/apply-patch+yaml and every other write).

No function mutates its arguments. The type information (merge keys, list types) comes from the OpenAPI components
that schema.py builds; callers can pass ``schema=(root_schema, components)`` (``Registry.schema_for``) for kinds the
built-in tables do not know, e.g. custom resources.
"""

from __future__ import annotations

import copy
import json

from sim.kube import schema as kube_schema


class PatchError(ValueError):
    """A patch that cannot be applied (the server answers 422, or 400 for an undecodable one)."""


# ---------------------------------------------------------------------------------------------------------------
# RFC 7386

def json_merge_patch(target, patch):
    """Apply an RFC 7386 JSON merge patch; returns a new document."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = json_merge_patch(out.get(key), value)
    return out


# ---------------------------------------------------------------------------------------------------------------
# RFC 6902

def _pointer(path):
    if not isinstance(path, str):
        raise PatchError("invalid JSON pointer %r" % (path,))
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("JSON pointer must start with '/': %r" % path)
    return [tok.replace("~1", "/").replace("~0", "~") for tok in path[1:].split("/")]


def _index(token, size, allow_end):
    if token == "-" and allow_end:
        return size
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError("invalid array index %r" % token)
    idx = int(token)
    if idx > size or (idx == size and not allow_end):
        raise PatchError("array index %d out of bounds" % idx)
    return idx


def _walk(doc, tokens, path):
    node = doc
    for tok in tokens:
        if isinstance(node, dict):
            if tok not in node:
                raise PatchError("path %s does not exist" % path)
            node = node[tok]
        elif isinstance(node, list):
            node = node[_index(tok, len(node), False)]
        else:
            raise PatchError("path %s does not exist" % path)
    return node


def _json_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return a == b


def _add(doc, tokens, value, path):
    if not tokens:
        return value
    parent = _walk(doc, tokens[:-1], path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(last, len(parent), True), value)
    else:
        raise PatchError("path %s: parent is not a container" % path)
    return doc


def _remove(doc, tokens, path):
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent = _walk(doc, tokens[:-1], path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError("path %s does not exist" % path)
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(last, len(parent), False))
    raise PatchError("path %s does not exist" % path)


def json_patch(target, ops):
    """Apply an RFC 6902 JSON patch (a list of operations); returns a new document."""
    if not isinstance(ops, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("invalid JSON patch operation %r" % (op,))
        kind = op["op"]
        if "path" not in op:
            raise PatchError("operation %s lacks 'path'" % kind)
        path = op["path"]
        tokens = _pointer(path)
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError("operation %s lacks 'value'" % kind)
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op["value"]), path)
        elif kind == "remove":
            _remove(doc, tokens, path)
        elif kind == "replace":
            if not tokens:
                doc = copy.deepcopy(op["value"])
                continue
            _walk(doc, tokens, path)
            parent = _walk(doc, tokens[:-1], path)
            if isinstance(parent, dict):
                parent[tokens[-1]] = copy.deepcopy(op["value"])
            else:
                parent[_index(tokens[-1], len(parent), False)] = copy.deepcopy(op["value"])
        elif kind in ("move", "copy"):
            if "from" not in op:
                raise PatchError("operation %s lacks 'from'" % kind)
            src = _pointer(op["from"])
            if kind == "move":
                if src == tokens:
                    continue
                if tokens[:len(src)] == src:
                    raise PatchError("cannot move %s into its own child %s" % (op["from"], path))
                value = _remove(doc, src, op["from"])
            else:
                value = copy.deepcopy(_walk(doc, src, op["from"]))
            doc = _add(doc, tokens, value, path)
        elif kind == "test":
            if not _json_equal(_walk(doc, tokens, path), op["value"]):
                raise PatchError("testing value %s failed" % path)
        else:
            raise PatchError("unexpected kind of operation %r" % (kind,))
    return doc


# ---------------------------------------------------------------------------------------------------------------
# Schema navigation (OpenAPI v3 components as built by schema.py, or a CRD's openAPIV3Schema)

class _Nav:
    """A position in a schema: resolves $ref/allOf and answers patch metadata of child fields."""

    __slots__ = ("node", "comps")

    def __init__(self, node, comps):
        self.node = self._resolve(node, comps)
        self.comps = comps

    @staticmethod
    def _resolve(node, comps):
        for _hop in range(20):
            if not isinstance(node, dict):
                return {}
            if "$ref" in node:
                node = comps.get(node["$ref"].rsplit("/", 1)[-1], {})
            elif node.get("allOf") and len(node["allOf"]) == 1:
                node = node["allOf"][0]
            else:
                return node
        return {}

    def raw(self, key):
        """The unresolved schema of field key (carries the field's x-kubernetes-* extensions), or None."""
        props = self.node.get("properties")
        if isinstance(props, dict) and key in props:
            return props[key]
        extra = self.node.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
        return None

    def child(self, key):
        raw = self.raw(key)
        return _Nav(raw, self.comps) if raw is not None else None

    def items(self):
        item = self.node.get("items")
        return _Nav(item, self.comps) if isinstance(item, dict) else None

    @property
    def atomic_map(self):
        return self.node.get("x-kubernetes-map-type") == "atomic"

    def list_info(self, key):
        """(list type "map"|"set"|"atomic", map keys, patch strategies, patch merge key) of list field key."""
        raw = self.raw(key) or {}
        arr = self._resolve(raw, self.comps)
        strategies = str(raw.get("x-kubernetes-patch-strategy", arr.get("x-kubernetes-patch-strategy", ""))).split(",")
        merge_key = raw.get("x-kubernetes-patch-merge-key", arr.get("x-kubernetes-patch-merge-key", ""))
        list_type = arr.get("x-kubernetes-list-type", raw.get("x-kubernetes-list-type", "atomic"))
        keys = arr.get("x-kubernetes-list-map-keys", raw.get("x-kubernetes-list-map-keys", []))
        return list_type, list(keys), [s for s in strategies if s], merge_key

    def map_strategies(self, key):
        raw = self.raw(key) or {}
        return [s for s in str(raw.get("x-kubernetes-patch-strategy", "")).split(",") if s]


def _root(api_version, kind, schema):
    """_Nav of a kind's schema: an explicit (schema, components) pair, else the built-in tables, else None."""
    if schema is not None:
        node, comps = schema
        return _Nav(node, comps)
    rt = kube_schema.Registry.builtin_by_kind(api_version, kind)
    if rt is None:
        return None
    comps = kube_schema.builtin_components()
    return _Nav(comps[rt.schema_name], comps)


# ---------------------------------------------------------------------------------------------------------------
# Strategic merge patch

_DIRECTIVE = "$patch"
_RETAIN = "$retainKeys"
_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


def _strip_directives(value):
    """A patch value used as-is: directives and nulls removed (as decoding into the typed object would)."""
    if isinstance(value, dict):
        if value.get(_DIRECTIVE) == "delete":
            return {}
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value
                if not (isinstance(v, dict) and _DIRECTIVE in v and len(v) == 1)]
    return value


def strategic_merge_patch(target, patch, api_version, kind, schema=None):
    """Apply a strategic merge patch; kinds without strategic metadata get JSON merge patch semantics."""
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    nav = _root(api_version, kind, schema)
    if nav is None or (schema is None and not nav.node):
        return json_merge_patch(target, patch)
    return _smp_map(copy.deepcopy(target) if isinstance(target, dict) else {}, copy.deepcopy(patch), nav)


def _smp_map(original, patch, nav):
    directive = patch.pop(_DIRECTIVE, None)
    if directive == "replace":
        return _strip_directives(patch)
    if directive == "delete":
        return {}
    if directive not in (None, "merge"):
        raise PatchError("Unknown patch type: %s in map: %s" % (directive, json.dumps(patch)))

    retain = patch.pop(_RETAIN, None)
    if retain is not None:
        if not isinstance(retain, list):
            raise PatchError("$retainKeys must be a list")
        for key in list(original):
            if key not in retain:
                del original[key]
        for key in patch:
            if not key.startswith("$") and key not in retain and patch[key] is not None:
                raise PatchError("The %s key in $retainKeys is missing for %s" % (key, json.dumps(retain)))

    for key in [k for k in patch if k.startswith(_DELETE_PRIMITIVE)]:
        field = key[len(_DELETE_PRIMITIVE):]
        remove = patch.pop(key)
        if not isinstance(remove, list):
            raise PatchError("%s must be a list" % key)
        if isinstance(original.get(field), list):
            original[field] = [v for v in original[field] if v not in remove]

    orders = {k[len(_ORDER):]: patch.pop(k) for k in [k for k in patch if k.startswith(_ORDER)]}

    for key, value in patch.items():
        if value is None:
            original.pop(key, None)
            continue
        child = nav.child(key) if nav is not None else None
        if key not in original:
            if isinstance(value, list) and nav is not None:
                _lt, _keys, strategies, merge_key = nav.list_info(key)
                if "merge" in strategies:
                    original[key] = _smp_list([], value, child.items() if child else None, merge_key, orders.get(key))
                    continue
            original[key] = _strip_directives(value)
            continue
        current = original[key]
        if isinstance(current, dict) and isinstance(value, dict):
            strategies = nav.map_strategies(key) if nav is not None else []
            if "replace" in strategies:
                original[key] = _strip_directives(value)
            else:
                original[key] = _smp_map(current, value, child)
        elif isinstance(current, list) and isinstance(value, list):
            strategies, merge_key = [], ""
            if nav is not None:
                _lt, _keys, strategies, merge_key = nav.list_info(key)
            if "merge" in strategies:
                original[key] = _smp_list(current, value, child.items() if child else None, merge_key,
                                          orders.get(key))
            else:
                original[key] = _strip_directives(value)
        else:
            original[key] = _strip_directives(value)

    # $setElementOrder for lists the patch did not otherwise touch
    for key, order in orders.items():
        if key not in patch and isinstance(original.get(key), list) and nav is not None:
            _lt, _keys, _strategies, merge_key = nav.list_info(key)
            original[key] = _apply_order(original[key], [], order, merge_key)
    return original


def _key_of(item, merge_key):
    if merge_key:
        return json.dumps(item.get(merge_key), sort_keys=True) if isinstance(item, dict) else None
    return json.dumps(item, sort_keys=True)


def _smp_list(original, patch, item_nav, merge_key, order):
    if not patch and order is None:
        return original
    is_maps = any(isinstance(v, dict) for v in patch) or any(isinstance(v, dict) for v in original)
    if not is_maps:
        merged = list(original)
        for value in patch:
            if value not in merged:
                merged.append(value)
        if order is not None:
            return _apply_order(merged, patch, order, "")
        return merged

    replace = False
    plain = []
    for value in patch:
        if not isinstance(value, dict):
            raise PatchError("list item %r is not a map in a merge list" % (value,))
        directive = value.get(_DIRECTIVE)
        if directive is None:
            plain.append(value)
        elif directive == "delete":
            if merge_key not in value:
                raise PatchError("map: %s does not contain declared merge key: %s" % (json.dumps(value), merge_key))
            wanted = _key_of(value, merge_key)
            original = [o for o in original if _key_of(o, merge_key) != wanted]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise PatchError("Unknown patch type: %s in map: %s" % (directive, json.dumps(value)))
    if replace:
        return [_strip_directives(v) for v in plain]

    merged = list(original)
    touched = []
    for value in plain:
        if not merge_key or merge_key not in value:
            raise PatchError("map: %s does not contain declared merge key: %s" % (json.dumps(value), merge_key))
        wanted = _key_of(value, merge_key)
        touched.append(wanted)
        for idx, item in enumerate(merged):
            if _key_of(item, merge_key) == wanted:
                merged[idx] = _smp_map(item if isinstance(item, dict) else {}, value, item_nav)
                break
        else:
            merged.append(_smp_map({}, value, item_nav))
    if order is not None:
        return _apply_order(merged, plain, order, merge_key, original)
    return merged


def _apply_order(merged, patch_items, order, merge_key, original=None):
    """$setElementOrder: items named in order come in that order; the others keep their server positions."""
    original = merged if original is None else original
    order_keys = [_key_of(o, merge_key) if merge_key else _key_of(o, "") for o in order]
    server_keys = [_key_of(o, merge_key) for o in original]
    by_key = {_key_of(item, merge_key): item for item in merged}
    patch_keys = [_key_of(p, merge_key) for p in patch_items]
    named = [by_key[k] for k in order_keys if k in by_key]
    named_set = set(k for k in order_keys if k in by_key) | set(patch_keys)
    server_only = [item for item in merged if _key_of(item, merge_key) not in named_set]
    extra_named = [by_key[k] for k in patch_keys if k in by_key and k not in order_keys]
    right = named + extra_named
    out = []
    i = j = 0
    while i < len(server_only) or j < len(right):
        if i >= len(server_only):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(server_only[i])
            i += 1
        else:
            li = _pos(server_keys, _key_of(server_only[i], merge_key))
            ri = _pos(server_keys, _key_of(right[j], merge_key))
            if li < ri:
                out.append(server_only[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _pos(keys, key):
    try:
        return keys.index(key)
    except ValueError:
        return -1


# ---------------------------------------------------------------------------------------------------------------
# Field sets (structured-merge-diff FieldsV1)

_STRIP_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
               "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds")


def _pe_field(name):
    return "f:" + name


# list-map key fields kube-apiserver defaults before it merges (a port without protocol is the TCP port)
_KEY_DEFAULTS = {"protocol": "TCP"}


def _pe_key(item, keys):
    ident = {k: item[k] if k in item else _KEY_DEFAULTS.get(k) for k in keys if k in item or k in _KEY_DEFAULTS}
    return "k:" + json.dumps(ident, sort_keys=True, separators=(",", ":"))


def _pe_value(value):
    return "v:" + json.dumps(value, sort_keys=True, separators=(",", ":"))


def _tracked(obj, status_mode):
    """The part of an object whose fields are owned: without apiVersion/kind/server-managed metadata.

    status_mode: "drop" (main resource of a kind with a status subresource), "only" (the status subresource),
    or "keep".
    """
    out = {}
    for key, value in (obj or {}).items():
        if key in ("apiVersion", "kind"):
            continue
        if key == "status" and status_mode == "drop":
            continue
        if status_mode == "only" and key not in ("status", "metadata"):
            continue
        if key == "metadata" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in _STRIP_META}
            if status_mode == "only":
                value = {}
            if not value:
                continue
        out[key] = value
    return out


def _list_kind(nav, key):
    if nav is None:
        return "atomic", []
    list_type, keys, strategies, merge_key = nav.list_info(key)
    if list_type == "map" and keys:
        return "map", keys
    if list_type == "map" and merge_key:
        return "map", [merge_key]
    if list_type == "set" or (list_type == "atomic" and "merge" in strategies and not merge_key):
        return "set", []
    return "atomic", []


def _field_set(value, nav, prefix, out, containers=None):
    """Add the paths of every leaf and associative list item under a map value to out, and the paths of the
    non-empty maps to containers (when given)."""
    for key, child in value.items():
        path = prefix + (_pe_field(key),)
        cnav = nav.child(key) if nav is not None else None
        if isinstance(child, dict) and child and not (cnav is not None and cnav.atomic_map):
            if containers is not None and (cnav is None or "properties" not in cnav.node):
                # maps (labels, data, ...) are owned as a whole too; structs only through their fields
                containers.add(path)
            _field_set(child, cnav, path, out, containers)
        elif isinstance(child, list) and child:
            kind, keys = _list_kind(nav, key)
            if kind == "map":
                inav = cnav.items() if cnav is not None else None
                for item in child:
                    if not isinstance(item, dict):
                        continue
                    ipath = path + (_pe_key(item, keys),)
                    out.add(ipath)
                    _field_set(item, inav, ipath, out, containers)
            elif kind == "set":
                for item in child:
                    out.add(path + (_pe_value(item),))
            else:
                out.add(path)
        else:
            out.add(path)


def _fields_to_tree(paths):
    tree = {}
    for path in sorted(paths):
        node = tree
        for pe in path:
            node = node.setdefault(pe, {})
    # a node that is itself a path and has children gets "."
    for path in paths:
        node = tree
        for pe in path:
            node = node[pe]
        if node and "." not in node:
            node["."] = {}
    return _sort_tree(tree)


def _sort_tree(tree):
    return {k: _sort_tree(tree[k]) for k in sorted(tree, key=lambda x: (x != ".", x))}


def _tree_to_fields(tree, prefix=()):
    out = set()
    for key, child in (tree or {}).items():
        if key == ".":
            out.add(prefix)
            continue
        path = prefix + (key,)
        if not child:
            out.add(path)
        else:
            out |= _tree_to_fields(child, path)
    return out


def _path_string(path):
    """.spec.containers[name="nginx"].image as kube-apiserver prints paths in conflict messages."""
    out = ""
    for pe in path:
        if pe.startswith("f:"):
            out += "." + pe[2:]
        elif pe.startswith("k:"):
            keys = json.loads(pe[2:])
            out += "[" + ",".join("%s=%s" % (k, json.dumps(v)) for k, v in keys.items()) + "]"
        elif pe.startswith("v:"):
            out += "[=" + pe[2:] + "]"
    return out


def _get_path(obj, path):
    """(found, value) at a field path."""
    node = obj
    for pe in path:
        if pe.startswith("f:"):
            if not isinstance(node, dict) or pe[2:] not in node:
                return False, None
            node = node[pe[2:]]
        elif pe.startswith("k:"):
            keys = json.loads(pe[2:])
            if not isinstance(node, list):
                return False, None
            for item in node:
                if isinstance(item, dict) and all(item.get(k) == v for k, v in keys.items()):
                    node = item
                    break
            else:
                return False, None
        elif pe.startswith("v:"):
            value = json.loads(pe[2:])
            if not isinstance(node, list) or value not in node:
                return False, None
            node = value
    return True, node


def _remove_path(obj, path):
    """Remove the field at path (a map key, a list item by key or by value); returns whether it was there."""
    if not path:
        return False
    found, parent = _get_path(obj, path[:-1])
    if not found:
        return False
    pe = path[-1]
    if pe.startswith("f:") and isinstance(parent, dict) and pe[2:] in parent:
        del parent[pe[2:]]
        return True
    if pe.startswith("k:") and isinstance(parent, list):
        keys = json.loads(pe[2:])
        for idx, item in enumerate(parent):
            if isinstance(item, dict) and all(item.get(k) == v for k, v in keys.items()):
                del parent[idx]
                return True
    if pe.startswith("v:") and isinstance(parent, list):
        value = json.loads(pe[2:])
        if value in parent:
            parent.remove(value)
            return True
    return False


# ---------------------------------------------------------------------------------------------------------------
# Structured merge (apply)

def _ssa_merge(live, applied, nav):
    """Merge an applied configuration into the live object: maps by key, map lists by their keys, sets by value,
    atomic lists and scalars replaced."""
    out = copy.deepcopy(live) if isinstance(live, dict) else {}
    for key, value in applied.items():
        cnav = nav.child(key) if nav is not None else None
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and not (cnav is not None and cnav.atomic_map):
            out[key] = _ssa_merge(out[key], value, cnav)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            kind, keys = _list_kind(nav, key)
            if kind == "map":
                merged = list(out[key])
                inav = cnav.items() if cnav is not None else None
                for item in value:
                    if not isinstance(item, dict):
                        continue
                    ident = _pe_key(item, keys)
                    for idx, cur in enumerate(merged):
                        if isinstance(cur, dict) and _pe_key(cur, keys) == ident:
                            merged[idx] = _ssa_merge(cur, item, inav)
                            break
                    else:
                        merged.append(copy.deepcopy(item))
                out[key] = merged
            elif kind == "set":
                out[key] = list(out[key]) + [v for v in value if v not in out[key]]
            else:
                out[key] = copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _changed(old, new, nav, with_containers):
    """Paths of the fields added or modified from old to new; with_containers: also newly created maps."""
    leaves, containers = set(), set()
    _field_set(new, nav, (), leaves, containers)
    out = set()
    for path in leaves:
        found_old, old_value = _get_path(old, path)
        if not found_old:
            out.add(path)
        elif not path[-1].startswith("k:") and not _json_equal(old_value, _get_path(new, path)[1]):
            out.add(path)
    if with_containers:
        out |= {p for p in containers if not _get_path(old, p)[0]}
    return out


def _removed(old, new, nav):
    """Paths present in old's field set but absent from new."""
    paths = set()
    _field_set(old, nav, (), paths, paths)
    return {p for p in paths if not _get_path(new, p)[0]}


def _status_mode(api_version, kind, subresource, has_status):
    if subresource == "status":
        return "only"
    if has_status is None:
        rt = kube_schema.Registry.builtin_by_kind(api_version, kind)
        has_status = bool(rt and rt.has_status)
    return "drop" if has_status else "keep"


def _entries(obj):
    return list(((obj or {}).get("metadata") or {}).get("managedFields") or [])


def _entry_key(entry):
    return (entry.get("manager", ""), entry.get("operation", ""), entry.get("subresource", ""),
            entry.get("apiVersion", "") if entry.get("operation") == "Update" else "")


def _sort_entries(entries):
    return sorted(entries, key=lambda e: (e.get("operation", ""), e.get("time", ""), e.get("manager", ""),
                                          e.get("apiVersion", ""), e.get("subresource", "")))


def _make_entry(manager, operation, api_version, now, paths, subresource):
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now,
             "fieldsType": "FieldsV1", "fieldsV1": _fields_to_tree(paths)}
    if subresource:
        entry["subresource"] = subresource
    return entry


def _set_entries(obj, entries):
    meta = obj.setdefault("metadata", {})
    entries = [e for e in entries if e.get("fieldsV1")]
    if entries:
        meta["managedFields"] = _sort_entries(entries)
    else:
        meta.pop("managedFields", None)
    return obj


def _without_managed(obj):
    out = copy.deepcopy(obj)
    (out.get("metadata") or {}).pop("managedFields", None)
    return out


def conflict_status(conflicts):
    """The metav1.Status body (409) kube-apiserver answers for apply conflicts as returned by server_side_apply."""
    count = len(conflicts)
    if count == 1:
        message = "Apply failed with 1 conflict: " + conflicts[0]
    else:
        by_manager = {}
        for text in conflicts:
            head, field = text.rsplit(": ", 1)
            by_manager.setdefault(head.replace("conflict with", "conflicts with", 1), []).append(field)
        message = "Apply failed with %d conflicts: " % count + "\n".join(
            "%s:\n%s" % (head, "\n".join("- " + f for f in fields)) for head, fields in by_manager.items())
    causes = []
    for text in conflicts:
        head, field = text.rsplit(": ", 1)
        causes.append({"reason": "FieldManagerConflict", "message": head, "field": field})
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": "Conflict", "details": {"causes": causes}, "code": 409}


def server_side_apply(live, applied, manager, force, api_version, kind, now, schema=None, subresource="",
                      has_status=None):
    """Server-side apply of an applied configuration; returns (new object, conflicts).

    conflicts lists 'conflict with "<manager>" using <apiVersion>: <field path>' strings; when there are any (and
    not force) the object is returned unchanged. Fields this manager applied before and omits now are removed unless
    another manager owns them.
    """
    if not isinstance(applied, dict):
        raise PatchError("an apply configuration must be an object")
    if not manager:
        raise PatchError("PATCH, application/apply-patch+yaml requests must specify a fieldManager")
    nav = _root(api_version, kind, schema)
    mode = _status_mode(api_version, kind, subresource, has_status)
    live = copy.deepcopy(live) if live else None
    base = _tracked(live, mode) if live else {}
    config = _tracked(applied, mode)

    applied_set = set()
    _field_set(config, nav, (), applied_set)

    entries = _entries(live)
    mine_key = (manager, "Apply", subresource, "")
    previous = next((e for e in entries if _entry_key(e) == mine_key), None)
    previous_set = _tree_to_fields(previous.get("fieldsV1")) if previous else set()
    others = [e for e in entries if _entry_key(e) != mine_key]

    merged_tracked = _ssa_merge(base, config, nav)
    changed = _changed(base, merged_tracked, nav, False)

    conflicts = []
    taken = {}
    for entry in others:
        owned = _tree_to_fields(entry.get("fieldsV1"))
        clash = owned & changed
        if clash:
            taken[id(entry)] = clash
            where = " with subresource \"%s\"" % entry["subresource"] if entry.get("subresource") else ""
            for path in sorted(clash, key=_path_string):
                conflicts.append("conflict with \"%s\"%s using %s: %s" % (entry.get("manager", ""), where,
                                                                          entry.get("apiVersion", api_version),
                                                                          _path_string(path)))
    if conflicts and not force:
        return live if live is not None else {}, conflicts

    # ownership: others lose what was forced away
    new_others = []
    for entry in others:
        owned = _tree_to_fields(entry.get("fieldsV1"))
        if id(entry) in taken:
            owned -= taken[id(entry)]
            entry = dict(entry, fieldsV1=_fields_to_tree(owned))
        new_others.append((entry, owned))

    # removal of fields this manager applied before but no longer does
    result_tracked = merged_tracked
    others_owned = set()
    for _entry, owned in new_others:
        others_owned |= owned
    dropped = previous_set - applied_set
    for path in sorted(dropped, key=len):
        if any(o[:len(path)] == path for o in others_owned):
            continue
        _remove_path(result_tracked, path)
        _prune_empty_parents(result_tracked, path, others_owned | applied_set)

    # assemble the object: untracked parts from live (or the applied config on create)
    result = copy.deepcopy(live) if live else {}
    for key in ("apiVersion", "kind"):
        if applied.get(key):
            result[key] = applied[key]
    meta_live = (live or {}).get("metadata") or {}
    meta_applied = applied.get("metadata") or {}
    new_meta = {k: v for k, v in meta_live.items() if k in _STRIP_META or mode == "only"}
    if not live:
        new_meta.update({k: copy.deepcopy(v) for k, v in meta_applied.items()
                         if k in ("name", "namespace", "generateName")})
    new_meta.update(result_tracked.get("metadata") or {})
    for key in list(result):
        if key not in ("apiVersion", "kind", "metadata") and not (key == "status" and mode == "drop") and \
                not (mode == "only" and key != "status"):
            del result[key]
    for key, value in result_tracked.items():
        if key != "metadata":
            result[key] = value
    result["metadata"] = new_meta

    # managed fields
    removed = _removed(base, result_tracked, nav)
    final_entries = []
    for entry, owned in new_others:
        owned = owned - removed
        if owned != _tree_to_fields(entry.get("fieldsV1")):
            entry = dict(entry, fieldsV1=_fields_to_tree(owned))
        final_entries.append(entry)
    changed_object = live is None or _without_managed(result) != _without_managed(live)
    if previous is not None and previous_set == applied_set and not changed_object:
        final_entries.append(previous)
    else:
        final_entries.append(_make_entry(manager, "Apply", api_version, now, applied_set, subresource))
    _set_entries(result, final_entries)
    return result, []


def _prune_empty_parents(obj, path, keep):
    """After removing a field: drop the maps that became empty because of it, unless someone owns them."""
    for cut in range(len(path) - 1, 0, -1):
        parent_path = path[:cut]
        if parent_path in keep or len(parent_path) == 1:
            return
        found, value = _get_path(obj, parent_path)
        if not found or value or not isinstance(value, dict) or not parent_path[-1].startswith("f:"):
            return
        _remove_path(obj, parent_path)


def update_managed_fields(old, new, manager, operation="Update", now="", api_version=None, subresource="",
                          has_status=None, schema=None):
    """Record a create/update/patch in new's metadata.managedFields; returns the new object (a copy).

    The manager (e.g. "kubectl-client-side-apply", "helm") becomes the Update owner of every field it added or
    changed; other managers lose those fields. Managed fields the client sends explicitly replace the stored ones
    ([{}] clears them).
    """
    new = copy.deepcopy(new)
    api_version = api_version or new.get("apiVersion") or (old or {}).get("apiVersion", "")
    kind = new.get("kind") or (old or {}).get("kind", "")
    nav = _root(api_version, kind, schema)
    mode = _status_mode(api_version, kind, subresource, has_status)
    meta = new.setdefault("metadata", {})
    sent = meta.get("managedFields")
    if sent == [{}]:
        meta.pop("managedFields", None)
        return new
    if sent and old is not None and sent != _entries(old):
        entries = [dict(e) for e in sent]
    else:
        entries = _entries(old)

    old_tracked = _tracked(old, mode) if old else {}
    new_tracked = _tracked(new, mode)
    if old is None:
        # a created object starts from the empty typed object, whose top-level structs already exist
        old_tracked = {k: {} for k, v in new_tracked.items() if isinstance(v, dict) and k in ("metadata", "spec")}
    changed = _changed(old_tracked, new_tracked, nav, True)
    removed = _removed(old_tracked, new_tracked, nav) if old else set()

    key = (manager, operation, subresource, api_version if operation == "Update" else "")
    mine = next((e for e in entries if _entry_key(e) == key), None)
    final = []
    for entry in entries:
        if entry is mine:
            continue
        owned = _tree_to_fields(entry.get("fieldsV1"))
        left = owned - changed - removed
        final.append(entry if left == owned else dict(entry, fieldsV1=_fields_to_tree(left)))
    mine_set = (_tree_to_fields(mine.get("fieldsV1")) if mine else set())
    new_set = (mine_set | changed) - removed
    if mine is not None and not changed and new_set == mine_set:
        final.append(mine)
    elif new_set:
        final.append(_make_entry(manager, operation, api_version, now, new_set, subresource))
    _set_entries(new, final)
    return new


def fields_v1_paths(fields_v1):
    """The field paths of a FieldsV1 object, as strings like '.spec.replicas' (for tests and diagnostics)."""
    return sorted(_path_string(p) for p in _tree_to_fields(fields_v1) if p)
