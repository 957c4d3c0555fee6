"""SAM: serverless resources become the CloudFormation resources the SAM transform makes.

Expectations are worked out by hand from tests/fixtures/templates/sam.yaml.
"""

from __future__ import annotations

from pathlib import Path

from cost.template import NotDeployed, load_template_file, load_template_text, resolve_template
from cost.template.sam import merge_globals

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
SAM = load_template_file(FIXTURES / "sam.yaml")
FUNCTION = ("AWS::Serverless::Function",)


def test_resources_and_their_types() -> None:
    resolved = resolve_template(SAM, region="us-east-1")
    types = {name: resource.type for name, resource in resolved.resources.items()}
    assert types == {
        "ApiFunction": "AWS::Lambda::Function",
        "ApiFunctionRole": "AWS::IAM::Role",
        "WorkerFunction": "AWS::Lambda::Function",
        "WorkerFunctionAliaslive": "AWS::Lambda::Alias",
        "PublicApi": "AWS::ApiGateway::RestApi",
        "PublicApibetaStage": "AWS::ApiGateway::Stage",
        "Gateway": "AWS::ApiGatewayV2::Api",
        "Table": "AWS::DynamoDB::Table",
        "ProvisionedTable": "AWS::DynamoDB::Table",
        "Layer": "AWS::Serverless::LayerVersion",
        "Workflow": "AWS::StepFunctions::StateMachine",
        "ServerlessRestApi": "AWS::ApiGateway::RestApi",
        "ServerlessRestApiProdStage": "AWS::ApiGateway::Stage",
        "ServerlessHttpApi": "AWS::ApiGatewayV2::Api",
    }
    # The condition carries over to what the function becomes.
    assert resolved.not_deployed == [
        NotDeployed("ProdOnlyFunction", "AWS::Lambda::Function", "IsProd"),
        NotDeployed("ProdOnlyFunctionRole", "AWS::IAM::Role", "IsProd"),
    ]
    assert resolved.resources["ApiFunction"].sam_source == (
        "ApiFunction",
        "AWS::Serverless::Function",
    )
    assert resolved.resources["WorkerFunctionAliaslive"].sam_source == (
        "WorkerFunction",
        "AWS::Serverless::Function",
    )
    assert resolved.resources["Table"].sam_source == ("Table", "AWS::Serverless::SimpleTable")


def test_functions_get_globals_merged_as_sam_merges_them() -> None:
    resolved = resolve_template(SAM, region="us-east-1")
    api_function = resolved.resources["ApiFunction"].properties
    assert api_function == {
        "Architectures": ["arm64"],
        # Mappings merge: the global STAGE and the function's own TABLE.
        "Environment": {"Variables": {"STAGE": "beta", "TABLE": {"Ref": "Table"}}},
        "Handler": "app.handler",
        # Lists: the global layer, then the function's.
        "Layers": [
            "arn:aws:lambda:us-east-1:123456789012:layer:common:1",
            "arn:aws:lambda:us-east-1:123456789012:layer:extra:2",
        ],
        "MemorySize": "512",  # the global Ref to the Memory parameter
        "Runtime": "python3.12",
        "Timeout": 10,
        "Tags": [{"Key": "lambda:createdBy", "Value": "SAM"}],
        "Role": {"Fn::GetAtt": ["ApiFunctionRole", "Arn"]},
    }
    worker = resolved.resources["WorkerFunction"].properties
    # The function's own scalars win over the globals.
    assert (worker["MemorySize"], worker["Timeout"]) == (2048, 900)
    assert worker["Code"] == {"ZipFile": "def handler(event, context): return 1"}
    assert worker["Role"] == "arn:aws:iam::123456789012:role/worker"
    assert resolved.resources["WorkerFunctionAliaslive"].properties == {
        "Name": "live",
        "FunctionName": {"Ref": "WorkerFunction"},
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2},
    }
    assert resolved.resources["ApiFunction"].assumptions == [
        "SAM event sources (Schedule) create resources (rules, event source mappings, "
        "permissions) that are not listed"
    ]


def test_apis_and_tables() -> None:
    resolved = resolve_template(SAM, region="us-east-1")
    assert resolved.resources["PublicApi"].properties == {
        "EndpointConfiguration": {"Types": ["REGIONAL"]}
    }
    assert resolved.resources["PublicApibetaStage"].properties == {
        "CacheClusterEnabled": True,  # from Globals.Api
        "CacheClusterSize": "1.6",  # the API's own value wins
        "RestApiId": {"Ref": "PublicApi"},
        "StageName": "beta",
    }
    # The implicit API of the Api event, with the Api globals too.
    assert resolved.resources["ServerlessRestApiProdStage"].properties == {
        "CacheClusterEnabled": True,
        "CacheClusterSize": "0.5",
        "RestApiId": {"Ref": "ServerlessRestApi"},
        "StageName": "Prod",
    }
    assert resolved.resources["ServerlessHttpApi"].properties == {"ProtocolType": "HTTP"}
    assert resolved.resources["Gateway"].properties == {
        "Description": "explicit HTTP API",
        "ProtocolType": "HTTP",
    }
    assert resolved.resources["Table"].properties == {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert resolved.resources["ProvisionedTable"].properties == {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
    }
    # A state machine becomes a STANDARD Step Functions state machine (SAM's default Type).
    assert resolved.resources["Workflow"].properties == {"StateMachineType": "STANDARD"}
    assert resolved.resources["Layer"].assumptions == [
        "AWS::Serverless::LayerVersion is not expanded offline; listed with its SAM type"
    ]


def test_a_supplied_stage_name_names_the_stage_and_flips_conditions() -> None:
    resolved = resolve_template(
        SAM, region="us-east-1", parameters={"Stage": "prod", "Memory": "1024"}
    )
    assert "PublicApiprodStage" in resolved.resources
    assert resolved.resources["ProdOnlyFunction"].properties["Code"] == {
        "S3Bucket": "artifacts",
        "S3Key": "prod.zip",
    }
    assert resolved.resources["ApiFunction"].properties["MemorySize"] == "1024"


def test_ignore_globals_and_a_missing_transform() -> None:
    text = (
        "Globals:\n  Function:\n    MemorySize: 256\n    Timeout: 30\n"
        "Resources:\n"
        "  Plain:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: '*'\n"
        "    Properties: {Handler: a.b, Runtime: python3.12, CodeUri: .}\n"
        "  Partly:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: [Timeout]\n"
        "    Properties: {Handler: a.b, Runtime: python3.12, CodeUri: .}\n"
    )
    resolved = resolve_template(load_template_text(text), region="us-east-1")
    assert "MemorySize" not in resolved.resources["Plain"].properties
    partly = resolved.resources["Partly"].properties
    assert (partly["MemorySize"], "Timeout" in partly) == (256, False)
    assert resolved.assumptions == [
        "AWS::Serverless::* resources without Transform AWS::Serverless-2016-10-31 "
        "(CloudFormation would reject them); converted as SAM would"
    ]


def test_merge_globals_rules() -> None:
    assert merge_globals(
        {"a": 1, "m": {"x": 1, "y": 2}, "l": [1]}, {"a": 2, "m": {"y": 3}, "l": [2]}
    ) == {
        "a": 2,
        "m": {"x": 1, "y": 3},
        "l": [1, 2],
    }
    # An intrinsic on either side is a value, not a mapping to merge.
    assert merge_globals({"m": {"x": 1}}, {"m": {"Ref": "P"}}) == {"m": {"Ref": "P"}}
