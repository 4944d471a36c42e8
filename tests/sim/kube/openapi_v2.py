# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /openapi/v2: the Swagger 2.0 document of a virtual cluster, as JSON or as gnostic protobuf.

kube-apiserver serves one document for every group version (built-ins and CRDs). It is derived here from the
emulator's OpenAPI v3 documents (schema.Registry.openapi_v3): component schemas become ``definitions`` (refs
``#/definitions/...``, a lone ``allOf`` ref unwrapped as kube-openapi writes v2), request bodies become ``body``
parameters, response contents ``schema`` plus ``produces``/``consumes``.

client-go's discovery (``OpenAPISchema()``, used by ``kubectl explain --output=plaintext-openapiv2`` and by older
kubectl and Helm for client-side validation) asks for ``application/com.github.proto-openapi.spec.v2@v1.0+protobuf``
only, and is answered with the dotted ``...spec.v2.v1.0+protobuf``. The protobuf form is the ``openapi.v2.Document``
message of github.com/google/gnostic-models (openapiv2/OpenAPIv2.proto, proto3); vendor extensions and defaults
travel as ``Any.yaml``. kubectl 1.37's apply and create validate on the server (``fieldValidation=Strict``) and
read OpenAPI v3, not this document.
"""

import json
import struct

import yaml

from sim.kube import protobuf as pb

# client-go asks with "@" (kube-openapi's deprecated subtype), which is not a valid MIME token: the answer always
# names the dotted form, as kube-openapi's handler does
PROTOBUF_V2_ACCEPT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
_V3_REF = "#/components/schemas/"
_V2_REF = "#/definitions/"
_VERBS = ("get", "put", "post", "delete", "options", "head", "patch")


# ---- Swagger 2.0 from the OpenAPI v3 documents ------------------------------------------------------------------

def _schema(node):
    """A v3 schema as kube-openapi writes it in v2."""
    if isinstance(node, list):
        return [_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = value.replace(_V3_REF, _V2_REF)
        elif key in ("properties", "definitions"):
            out[key] = {k: _schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf", "not"):
            out[key] = _schema(value)
        else:
            out[key] = value
    refs = out.get("allOf")
    if isinstance(refs, list) and len(refs) == 1 and set(refs[0]) == {"$ref"}:
        out.pop("allOf")
        out.pop("default", None)
        out = dict(refs[0], **out)
    return out


def _parameter(param):
    out = {k: v for k, v in param.items() if k != "schema"}
    for key, value in (param.get("schema") or {}).items():
        out.setdefault(key, value)
    return out


def _operation(op):
    out = {k: v for k, v in op.items() if k not in ("parameters", "requestBody", "responses")}
    params = [_parameter(p) for p in op.get("parameters") or []]
    body = op.get("requestBody")
    if body:
        content = body.get("content") or {}
        out["consumes"] = sorted(content)
        schema = next(iter(content.values()), {}).get("schema") or {}
        params.insert(0, {"name": "body", "in": "body", "required": bool(body.get("required")), "schema": _schema(schema)})
    if params:
        out["parameters"] = params
    produces, responses = set(), {}
    for code, response in (op.get("responses") or {}).items():
        entry = {"description": response.get("description", "")}
        content = response.get("content") or {}
        produces.update(content)
        if content:
            entry["schema"] = _schema(next(iter(content.values())).get("schema") or {})
        responses[code] = entry
    out["responses"] = responses
    if produces:
        out["produces"] = sorted(produces)
    out["schemes"] = ["https"]
    return out


def swagger(registry):
    """The Swagger 2.0 document of every group version the registry serves."""
    paths, definitions = {}, {}
    for path in registry.openapi_v3_index()["paths"]:
        doc = registry.openapi_v3(path) or {}
        for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
            definitions.setdefault(name, _schema(schema))
        for route, item in (doc.get("paths") or {}).items():
            out = {}
            for key, value in item.items():
                if key in _VERBS:
                    out[key] = _operation(value)
                elif key == "parameters":
                    out[key] = [_parameter(p) for p in value]
                else:
                    out[key] = value
            paths[route] = out
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": registry.kube_version},
            "paths": dict(sorted(paths.items())), "definitions": dict(sorted(definitions.items())),
            "securityDefinitions": {"BearerToken": {"description": "Bearer Token authentication", "type": "apiKey",
                                                    "name": "authorization", "in": "header"}},
            "security": [{"BearerToken": []}]}


# ---- gnostic openapi.v2.Document ---------------------------------------------------------------------------------

def _s(num, value):
    return pb.wire_bytes(num, value.encode("utf-8")) if value else b""


def _b(num, value):
    return pb.wire_varint(num, 1) if value else b""


def _i(num, value):
    return pb.wire_varint(num, int(value)) if value else b""


def _d(num, value):
    return pb.wire_fixed64(num, struct.pack("<d", float(value))) if value else b""


def _m(num, payload):
    return pb.wire_bytes(num, payload)


def _strings(num, values):
    return b"".join(pb.wire_bytes(num, v.encode("utf-8")) for v in values or [])


def _any(value):
    return _s(2, yaml.safe_dump(value, default_flow_style=False, sort_keys=False))


def _extensions(num, node):
    return b"".join(_m(num, _s(1, k) + _m(2, _any(v))) for k, v in node.items() if k.startswith("x-"))


_SCHEMA_SCALARS = (("$ref", 1, _s), ("format", 2, _s), ("title", 3, _s), ("description", 4, _s),
                   ("multipleOf", 6, _d), ("maximum", 7, _d), ("exclusiveMaximum", 8, _b), ("minimum", 9, _d),
                   ("exclusiveMinimum", 10, _b), ("maxLength", 11, _i), ("minLength", 12, _i), ("pattern", 13, _s),
                   ("maxItems", 14, _i), ("minItems", 15, _i), ("uniqueItems", 16, _b), ("maxProperties", 17, _i),
                   ("minProperties", 18, _i), ("discriminator", 26, _s), ("readOnly", 27, _b))


def _schema_pb(node):
    out = bytearray()
    for key, num, encoder in _SCHEMA_SCALARS:
        if key in node:
            out += encoder(num, node[key])
    if "default" in node:
        out += _m(5, _any(node["default"]))
    out += _strings(19, node.get("required"))
    for value in node.get("enum") or []:
        out += _m(20, _any(value))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out += _m(21, _m(1, _schema_pb(extra)))
    elif isinstance(extra, bool):
        out += _m(21, pb.wire_varint(2, int(extra)))
    if "type" in node:
        out += _m(22, _strings(1, node["type"] if isinstance(node["type"], list) else [node["type"]]))
    items = node.get("items")
    if isinstance(items, (dict, list)):
        out += _m(23, b"".join(_m(1, _schema_pb(i)) for i in (items if isinstance(items, list) else [items])))
    for sub in node.get("allOf") or []:
        out += _m(24, _schema_pb(sub))
    if "properties" in node:
        out += _m(25, b"".join(_m(1, _s(1, k) + _m(2, _schema_pb(v))) for k, v in node["properties"].items()))
    if "example" in node:
        out += _m(30, _any(node["example"]))
    out += _extensions(31, node)
    return bytes(out)


def _parameter_pb(param):
    if param.get("in") == "body":
        body = (_s(1, param.get("description", "")) + _s(2, param.get("name", "")) + _s(3, "body")
                + _b(4, param.get("required")) + _m(5, _schema_pb(param.get("schema") or {}))
                + _extensions(6, param))
        return _m(1, _m(1, body))
    # QueryParameterSubSchema (3) and PathParameterSubSchema (4); header (1): the fields kube-apiserver uses
    where = {"query": 3, "path": 4, "header": 1}.get(param.get("in"), 3)
    shift = 1 if where == 3 else 0   # the query message has allow_empty_value (5) before type
    sub = (_b(1, param.get("required")) + _s(2, param.get("in", "")) + _s(3, param.get("description", ""))
           + _s(4, param.get("name", "")) + _s(5 + shift, param.get("type", "")) + _s(6 + shift, param.get("format", ""))
           + _b(19 + shift, param.get("uniqueItems")) + _extensions(22 + shift, param))
    return _m(1, _m(2, _m(where, sub)))


def _operation_pb(op):
    responses = b"".join(
        _m(1, _s(1, code) + _m(2, _m(1, _s(1, r.get("description", ""))
                                     + (_m(2, _m(1, _schema_pb(r["schema"]))) if "schema" in r else b""))))
        for code, r in op.get("responses", {}).items())
    return (_strings(1, op.get("tags")) + _s(2, op.get("summary", "")) + _s(3, op.get("description", ""))
            + _s(5, op.get("operationId", "")) + _strings(6, op.get("produces")) + _strings(7, op.get("consumes"))
            + b"".join(_m(8, _parameter_pb(p)) for p in op.get("parameters") or []) + _m(9, responses)
            + _strings(10, op.get("schemes")) + _b(11, op.get("deprecated")) + _extensions(13, op))


def _path_item_pb(item):
    out = bytearray()
    for num, verb in enumerate(_VERBS, start=2):
        if verb in item:
            out += _m(num, _operation_pb(item[verb]))
    out += b"".join(_m(9, _parameter_pb(p)) for p in item.get("parameters") or [])
    return bytes(out) + _extensions(10, item)


def to_protobuf(doc):
    """The openapi.v2.Document message of a Swagger 2.0 document (no k8s envelope: plain protobuf)."""
    info = doc.get("info") or {}
    security_defs = b"".join(
        _m(1, _s(1, name) + _m(2, _m(2, _s(1, d.get("type", "")) + _s(2, d.get("name", "")) + _s(3, d.get("in", ""))
                                     + _s(4, d.get("description", "")))))
        for name, d in (doc.get("securityDefinitions") or {}).items())
    security = b"".join(
        _m(12, b"".join(_m(1, _s(1, name) + _m(2, _strings(1, scopes))) for name, scopes in req.items()))
        for req in doc.get("security") or [])
    return (_s(1, doc.get("swagger", "2.0")) + _m(2, _s(1, info.get("title", "")) + _s(2, info.get("version", "")))
            + _m(8, b"".join(_m(2, _s(1, path) + _m(2, _path_item_pb(item))) for path, item in doc["paths"].items()))
            + _m(9, b"".join(_m(1, _s(1, name) + _m(2, _schema_pb(s))) for name, s in doc["definitions"].items()))
            + security + _m(13, security_defs))


def json_bytes(doc):
    return json.dumps(doc, separators=(",", ":")).encode()
