"""The SAM transform (AWS::Serverless-2016-10-31), as far as pricing needs it.

``Globals`` are merged into each resource first, the way SAM merges them: the resource's own
scalar or intrinsic wins, mappings merge key by key, lists are the global items followed by
the resource's. Then:

- ``AWS::Serverless::Function`` becomes an ``AWS::Lambda::Function`` under the same logical
  ID (MemorySize, Timeout, Architectures, Runtime, ... carried over), with the execution role
  SAM creates (``<id>Role``) when none is given, the alias of ``AutoPublishAlias``
  (``<id>Alias<name>``, carrying ProvisionedConcurrencyConfig) and the function URL
  (``<id>Url``). ``Api`` events without a RestApiId make SAM's implicit ``ServerlessRestApi``
  (stage ``Prod``), ``HttpApi`` events without an ApiId its ``ServerlessHttpApi``; other
  event sources are named in an assumption.
- ``AWS::Serverless::Api`` becomes an ``AWS::ApiGateway::RestApi`` and its stage
  ``<id><StageName>Stage`` (cache settings carried over).
- ``AWS::Serverless::HttpApi`` becomes an ``AWS::ApiGatewayV2::Api`` with ProtocolType HTTP.
- ``AWS::Serverless::StateMachine`` becomes an ``AWS::StepFunctions::StateMachine`` of its
  ``Type`` (STANDARD by default).
- ``AWS::Serverless::SimpleTable`` becomes an ``AWS::DynamoDB::Table``: PAY_PER_REQUEST
  unless ProvisionedThroughput is given, key ``id`` of type String unless PrimaryKey is.
- Other ``AWS::Serverless::*`` types stay as they are, so the caller lists them by type.

Deployments and versions (whose logical IDs carry a content hash), permissions and event
source resources are not generated: they are free, or named in an assumption.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from cost.template.errors import TemplateError
from cost.template.intrinsics import Notes, Resolver, is_intrinsic

TRANSFORM = "AWS::Serverless-2016-10-31"
FUNCTION = "AWS::Serverless::Function"
API = "AWS::Serverless::Api"
HTTP_API = "AWS::Serverless::HttpApi"
SIMPLE_TABLE = "AWS::Serverless::SimpleTable"
STATE_MACHINE = "AWS::Serverless::StateMachine"
_GLOBAL_SECTIONS = {
    "Function": FUNCTION,
    "Api": API,
    "HttpApi": HTTP_API,
    "SimpleTable": SIMPLE_TABLE,
}
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")

#: Function properties that mean the same on AWS::Lambda::Function.
_FUNCTION_PROPERTIES = (
    "Architectures",
    "CodeSigningConfigArn",
    "Description",
    "Environment",
    "EphemeralStorage",
    "FileSystemConfigs",
    "FunctionName",
    "Handler",
    "ImageConfig",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "RecursiveLoop",
    "ReservedConcurrentExecutions",
    "Role",
    "Runtime",
    "RuntimeManagementConfig",
    "SnapStart",
    "Timeout",
    "VpcConfig",
)
_API_PROPERTIES = (
    "Name",
    "Description",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "DisableExecuteApiEndpoint",
    "Mode",
)
_STAGE_PROPERTIES = (
    "CacheClusterEnabled",
    "CacheClusterSize",
    "TracingEnabled",
    "MethodSettings",
    "Variables",
    "AccessLogSetting",
)
_HTTP_API_PROPERTIES = ("Name", "Description", "DisableExecuteApiEndpoint")
_KEY_TYPES = {"String": "S", "Number": "N", "Binary": "B"}
_BASIC_EXECUTION = "service-role/AWSLambdaBasicExecutionRole"
_ATTRIBUTES = ("Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy")


@dataclass
class SamResult:
    """The Resources section after the transform, and what it did."""

    resources: dict[str, Any]
    #: Generated or converted logical ID -> (SAM logical ID, SAM type).
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Logical ID -> assumptions about that resource.
    notes: dict[str, list[str]] = field(default_factory=dict)


def uses_sam(resources: dict[str, Any]) -> bool:
    return any(
        isinstance(body, dict)
        and isinstance(body.get("Type"), str)
        and body["Type"].startswith("AWS::Serverless::")
        for body in resources.values()
    )


def merge_globals(global_value: Any, local_value: Any) -> Any:
    """SAM's merge: mappings key by key, lists concatenated, otherwise the resource wins."""
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        if is_intrinsic(global_value) or is_intrinsic(local_value):
            return local_value
        merged = dict(global_value)
        for key, value in local_value.items():
            merged[key] = merge_globals(merged[key], value) if key in merged else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return global_value + local_value
    return local_value


class _Transform:
    def __init__(self, globals_section: Any, resolver: Resolver, template_notes: Notes) -> None:
        if globals_section is None:
            globals_section = {}
        if not isinstance(globals_section, dict):
            raise TemplateError("Globals must be a mapping", path="Globals")
        self.globals: dict[str, dict[str, Any]] = {}
        for section, values in globals_section.items():
            if section not in _GLOBAL_SECTIONS:
                continue
            if not isinstance(values, dict):
                raise TemplateError("must be a mapping of properties", path=f"Globals.{section}")
            self.globals[_GLOBAL_SECTIONS[section]] = values
        self.resolver = resolver
        self.template_notes = template_notes
        self.result = SamResult(resources={})
        self.implicit_rest: list[str] = []
        self.implicit_http: list[str] = []

    def run(self, resources: dict[str, Any]) -> SamResult:
        for logical_id, body in resources.items():
            kind = body.get("Type") if isinstance(body, dict) else None
            if not (isinstance(kind, str) and kind.startswith("AWS::Serverless::")):
                self._add(logical_id, body, None)
                continue
            properties = self._properties(logical_id, body, kind)
            source = (logical_id, kind)
            if kind == FUNCTION:
                self._function(logical_id, body, properties, source)
            elif kind == API:
                self._api(logical_id, body, properties, source)
            elif kind == HTTP_API:
                self._http_api(logical_id, body, properties, source)
            elif kind == SIMPLE_TABLE:
                self._simple_table(logical_id, body, properties, source)
            elif kind == STATE_MACHINE:
                self._state_machine(logical_id, body, properties, source)
            else:
                self._add(logical_id, body, source)
                self._note(logical_id, f"{kind} is not expanded offline; listed with its SAM type")
        if self.implicit_rest:
            self._api(
                "ServerlessRestApi",
                {},
                self._with_globals(API, {"StageName": "Prod"}),
                ("ServerlessRestApi", API),
            )
            self._note(
                "ServerlessRestApi",
                f"SAM's implicit API for the Api events of {', '.join(self.implicit_rest)}",
            )
        if self.implicit_http:
            self._http_api(
                "ServerlessHttpApi",
                {},
                self._with_globals(HTTP_API, {}),
                ("ServerlessHttpApi", HTTP_API),
            )
            self._note(
                "ServerlessHttpApi",
                "SAM's implicit HTTP API for the HttpApi events of "
                + ", ".join(self.implicit_http),
            )
        return self.result

    def _properties(self, logical_id: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
        properties = body.get("Properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            raise TemplateError(
                "Properties must be a mapping", path=f"Resources.{logical_id}.Properties"
            )
        ignore = body.get("IgnoreGlobals")
        if ignore == "*":
            return properties
        return self._with_globals(kind, properties, ignore if isinstance(ignore, list) else [])

    def _with_globals(
        self, kind: str, properties: dict[str, Any], ignore: list[Any] | None = None
    ) -> dict[str, Any]:
        global_values = {
            key: value
            for key, value in self.globals.get(kind, {}).items()
            if key not in (ignore or [])
        }
        merged = merge_globals(copy.deepcopy(global_values), properties)
        return merged if isinstance(merged, dict) else properties

    def _add(self, logical_id: str, body: Any, source: tuple[str, str] | None) -> None:
        if logical_id in self.result.resources:
            self.template_notes.add(
                f"SAM would generate {logical_id!r}, which the template already defines; "
                "the template's own resource was kept"
            )
            return
        self.result.resources[logical_id] = body
        if source is not None:
            self.result.sources[logical_id] = source

    def _note(self, logical_id: str, text: str) -> None:
        self.result.notes.setdefault(logical_id, []).append(text)

    def _generated(
        self,
        logical_id: str,
        kind: str,
        properties: dict[str, Any],
        body: dict[str, Any],
        source: tuple[str, str],
    ) -> None:
        """A resource made from a SAM resource, carrying its Condition and other attributes."""
        new_body: dict[str, Any] = {"Type": kind, "Properties": properties}
        for attribute in _ATTRIBUTES:
            if body.get(attribute) is not None:
                new_body[attribute] = body[attribute]
        self._add(logical_id, new_body, source)

    def _text(self, value: Any, path: str) -> str | None:
        """A value SAM needs as a string when it names things; None if not known offline."""
        resolved = self.resolver.resolve(value, path, Notes())
        return resolved if isinstance(resolved, str) else None

    def _function(
        self, logical_id: str, body: dict[str, Any], props: dict[str, Any], source: tuple[str, str]
    ) -> None:
        path = f"Resources.{logical_id}.Properties"
        out = {key: props[key] for key in _FUNCTION_PROPERTIES if key in props}
        code = _code(props)
        if code is not None:
            out["Code"] = code
        if isinstance(props.get("Tracing"), (str, dict)):
            out["TracingConfig"] = {"Mode": props["Tracing"]}
        dead_letter = props.get("DeadLetterQueue")
        if isinstance(dead_letter, dict) and "TargetArn" in dead_letter:
            out["DeadLetterConfig"] = {"TargetArn": dead_letter["TargetArn"]}
        tags = props.get("Tags")
        out["Tags"] = [*_tag_list(tags), {"Key": "lambda:createdBy", "Value": "SAM"}]
        if "Role" not in props:
            out["Role"] = {"Fn::GetAtt": [f"{logical_id}Role", "Arn"]}
        self._generated(logical_id, "AWS::Lambda::Function", out, body, source)
        if "Role" not in props:
            role = {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": ["lambda.amazonaws.com"]},
                            "Action": ["sts:AssumeRole"],
                        }
                    ],
                },
                "ManagedPolicyArns": [
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/" + _BASIC_EXECUTION}
                ],
            }
            self._generated(f"{logical_id}Role", "AWS::IAM::Role", role, body, source)
        alias = props.get("AutoPublishAlias")
        if alias is not None:
            name = self._text(alias, f"{path}.AutoPublishAlias")
            if name is None:
                self._note(
                    logical_id, "AutoPublishAlias is not known offline; its alias is not listed"
                )
            else:
                # FunctionVersion would point at the version SAM names with a hash.
                alias_props: dict[str, Any] = {"Name": name, "FunctionName": {"Ref": logical_id}}
                if "ProvisionedConcurrencyConfig" in props:
                    alias_props["ProvisionedConcurrencyConfig"] = props[
                        "ProvisionedConcurrencyConfig"
                    ]
                alias_id = f"{logical_id}Alias{_NOT_ALPHANUMERIC.sub('', name)}"
                self._generated(alias_id, "AWS::Lambda::Alias", alias_props, body, source)
        elif "ProvisionedConcurrencyConfig" in props:
            self._note(
                logical_id,
                "ProvisionedConcurrencyConfig needs AutoPublishAlias; SAM ignores it here",
            )
        url = props.get("FunctionUrlConfig")
        if isinstance(url, dict):
            url_props = {key: url[key] for key in ("AuthType", "Cors", "InvokeMode") if key in url}
            url_props["TargetFunctionArn"] = {"Ref": logical_id}
            self._generated(f"{logical_id}Url", "AWS::Lambda::Url", url_props, body, source)
        self._events(logical_id, props.get("Events"))

    def _events(self, logical_id: str, events: Any) -> None:
        if not isinstance(events, dict):
            return
        others: set[str] = set()
        for event in events.values():
            if not isinstance(event, dict):
                continue
            kind = event.get("Type")
            found = event.get("Properties")
            event_props: dict[str, Any] = found if isinstance(found, dict) else {}
            if kind == "Api":
                if "RestApiId" not in event_props and logical_id not in self.implicit_rest:
                    self.implicit_rest.append(logical_id)
            elif kind == "HttpApi":
                if "ApiId" not in event_props and logical_id not in self.implicit_http:
                    self.implicit_http.append(logical_id)
            elif isinstance(kind, str):
                others.add(kind)
        if others:
            self._note(
                logical_id,
                f"SAM event sources ({', '.join(sorted(others))}) create resources (rules, "
                "event source mappings, permissions) that are not listed",
            )

    def _api(
        self, logical_id: str, body: dict[str, Any], props: dict[str, Any], source: tuple[str, str]
    ) -> None:
        out = {key: props[key] for key in _API_PROPERTIES if key in props}
        endpoint = props.get("EndpointConfiguration")
        if isinstance(endpoint, str) or is_intrinsic(endpoint):
            out["EndpointConfiguration"] = {"Types": [endpoint]}
        elif isinstance(endpoint, dict):
            converted: dict[str, Any] = {"Types": [endpoint.get("Type", "EDGE")]}
            if "VPCEndpointIds" in endpoint:
                converted["VpcEndpointIds"] = endpoint["VPCEndpointIds"]
            out["EndpointConfiguration"] = converted
        self._generated(logical_id, "AWS::ApiGateway::RestApi", out, body, source)
        stage_name = props.get("StageName")
        stage_props = {key: props[key] for key in _STAGE_PROPERTIES if key in props}
        stage_props["RestApiId"] = {"Ref": logical_id}
        if stage_name is not None:
            stage_props["StageName"] = stage_name
        name = (
            self._text(stage_name, f"Resources.{logical_id}.Properties.StageName")
            if stage_name is not None
            else None
        )
        if name is None:
            self._note(
                logical_id, "its StageName is not known offline; its stage is listed as <id>Stage"
            )
        stage_id = f"{logical_id}{_NOT_ALPHANUMERIC.sub('', name or '')}Stage"
        self._generated(stage_id, "AWS::ApiGateway::Stage", stage_props, body, source)

    def _http_api(
        self, logical_id: str, body: dict[str, Any], props: dict[str, Any], source: tuple[str, str]
    ) -> None:
        out = {key: props[key] for key in _HTTP_API_PROPERTIES if key in props}
        out["ProtocolType"] = "HTTP"
        self._generated(logical_id, "AWS::ApiGatewayV2::Api", out, body, source)

    def _simple_table(
        self, logical_id: str, body: dict[str, Any], props: dict[str, Any], source: tuple[str, str]
    ) -> None:
        key = props.get("PrimaryKey")
        key = key if isinstance(key, dict) else {}
        key_name = key.get("Name", "id")
        key_type = key.get("Type", "String")
        attribute_type = (
            _KEY_TYPES.get(key_type, key_type) if isinstance(key_type, str) else key_type
        )
        out: dict[str, Any] = {
            "AttributeDefinitions": [{"AttributeName": key_name, "AttributeType": attribute_type}],
            "KeySchema": [{"AttributeName": key_name, "KeyType": "HASH"}],
        }
        throughput = props.get("ProvisionedThroughput")
        if throughput is not None:
            out["ProvisionedThroughput"] = throughput
        else:
            out["BillingMode"] = "PAY_PER_REQUEST"
        for name in ("TableName", "SSESpecification", "PointInTimeRecoverySpecification"):
            if name in props:
                out[name] = props[name]
        if "Tags" in props:
            out["Tags"] = _tag_list(props["Tags"])
        self._generated(logical_id, "AWS::DynamoDB::Table", out, body, source)

    def _state_machine(
        self, logical_id: str, body: dict[str, Any], props: dict[str, Any], source: tuple[str, str]
    ) -> None:
        # SAM's Type (STANDARD or EXPRESS, default STANDARD) and Name map one to one.
        out: dict[str, Any] = {"StateMachineType": props.get("Type", "STANDARD")}
        if "Name" in props:
            out["StateMachineName"] = props["Name"]
        if "Logging" in props:
            out["LoggingConfiguration"] = props["Logging"]
        if "Tags" in props:
            out["Tags"] = _tag_list(props["Tags"])
        self._generated(logical_id, "AWS::StepFunctions::StateMachine", out, body, source)


def _code(props: dict[str, Any]) -> dict[str, Any] | None:
    if "InlineCode" in props:
        return {"ZipFile": props["InlineCode"]}
    if "ImageUri" in props:
        return {"ImageUri": props["ImageUri"]}
    code_uri = props.get("CodeUri")
    if isinstance(code_uri, str) and code_uri.startswith("s3://"):
        bucket, _, key = code_uri.removeprefix("s3://").partition("/")
        return {"S3Bucket": bucket, "S3Key": key}
    if isinstance(code_uri, dict) and not is_intrinsic(code_uri) and "Bucket" in code_uri:
        converted = {"S3Bucket": code_uri["Bucket"], "S3Key": code_uri.get("Key")}
        if "Version" in code_uri:
            converted["S3ObjectVersion"] = code_uri["Version"]
        return converted
    return None


def _tag_list(tags: Any) -> list[Any]:
    if isinstance(tags, dict) and not is_intrinsic(tags):
        return [{"Key": key, "Value": value} for key, value in tags.items()]
    return []


def transform(
    resources: dict[str, Any], globals_section: Any, resolver: Resolver, template_notes: Notes
) -> SamResult:
    """Resources with the SAM types converted (see the module docstring)."""
    return _Transform(globals_section, resolver, template_notes).run(resources)
