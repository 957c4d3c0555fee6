"""Loading templates: JSON and YAML as CloudFormation reads them, and bad input as TemplateError."""

from __future__ import annotations

from pathlib import Path

import pytest

from cost.template import TemplateError, load_template_file, load_template_text, resolve_template

FIXTURES = Path(__file__).parent / "fixtures" / "templates"


def test_yaml_short_forms_become_long_forms() -> None:
    template = load_template_text(
        "Resources:\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      A: !Ref Param\n"
        "      B: !GetAtt Db.Endpoint.Address\n"
        "      C: !GetAtt [Db, Arn]\n"
        "      D: !Sub '${AWS::Region}-x'\n"
        "      E: !If [Cond, 1, 2]\n"
        "      F: !Select [0, !GetAZs '']\n"
        "      G: !Condition Cond\n"
        "      H: !Join ['', [a, !Base64 b]]\n"
        "      I: !Length [1, 2]\n"
        "      J: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n",
        "inline.yaml",
    )
    properties = template["Resources"]["Topic"]["Properties"]
    assert properties == {
        "A": {"Ref": "Param"},
        # The attribute name keeps its own dots: only the first one splits.
        "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        "C": {"Fn::GetAtt": ["Db", "Arn"]},
        "D": {"Fn::Sub": "${AWS::Region}-x"},
        "E": {"Fn::If": ["Cond", 1, 2]},
        "F": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "G": {"Condition": "Cond"},
        "H": {"Fn::Join": ["", ["a", {"Fn::Base64": "b"}]]},
        "I": {"Fn::Length": [1, 2]},
        "J": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
    }


def test_dates_and_numeric_keys_stay_as_cloudformation_reads_them() -> None:
    template = load_template_text(
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Mappings:\n"
        "  Ports:\n"
        "    80:\n"
        "      Name: http\n"
        "Resources:\n"
        "  Policy:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: 2012-10-17\n"
    )
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Mappings"] == {"Ports": {"80": {"Name": "http"}}}
    assert template["Resources"]["Policy"]["Properties"]["PolicyDocument"]["Version"] == (
        "2012-10-17"
    )


def test_json_with_a_byte_order_mark_and_tab_indentation() -> None:
    path = FIXTURES / "bom_tabs.json"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf{\n\t")  # the fixture really has both
    template = load_template_file(path)
    resolved = resolve_template(template, region="eu-west-1", source=str(path))
    assert resolved.resources["Bucket"].properties == {"BucketName": "logs-eu-west-1"}


def test_a_yaml_syntax_error_names_the_file_line_and_column() -> None:
    path = FIXTURES / "tab_indent.yaml"
    with pytest.raises(TemplateError) as caught:
        load_template_file(path)
    # Line 4 starts with a tab, which YAML does not allow as indentation.
    assert (caught.value.source, caught.value.line, caught.value.column) == (str(path), 4, 1)
    assert str(caught.value).startswith(f"{path}:4:1: YAML syntax error")
    assert "'\\t'" in caught.value.message


def test_an_unclosed_flow_sequence_points_at_where_yaml_gave_up() -> None:
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: [a, b\n"
    with pytest.raises(TemplateError) as caught:
        load_template_text(text, "broken.yaml")
    # The stream ends on line 5, column 1 while the list opened on line 4 is still open.
    assert (caught.value.line, caught.value.column) == (5, 1)


def test_a_json_syntax_error_has_line_and_column() -> None:
    text = '{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic",}\n  }\n}\n'
    with pytest.raises(TemplateError) as caught:
        load_template_text(text, "broken.json")
    # After the trailing comma, "}" (line 3, column 37) is not the key JSON expects.
    assert (caught.value.line, caught.value.column) == (3, 37)
    assert caught.value.message.startswith("JSON syntax error")


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template_text("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n")
    assert "duplicate key 'A'" in caught.value.message
    assert caught.value.line == 4
    with pytest.raises(TemplateError, match="duplicate key 'A'"):
        load_template_text('{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "the document is a list"),
        ("", "the document is empty"),
        ("Parameters: {}\n", "no Resources section"),
        ("Resources: [a]\n", "Resources must be a mapping"),
        ("Resources: {}\n---\nResources: {}\n", "expected a single document"),
        ("Resources:\n  A:\n    Type: !Bogus x\n", "unknown tag !Bogus"),
        ("Resources:\n  A: !!binary aGk=\n", "no CloudFormation equivalent"),
        ("Resources:\n  A: !!set {a: null}\n", "no CloudFormation equivalent"),
    ],
)
def test_not_a_template(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        load_template_text(text, "input.yaml")


def test_nesting_too_deep_is_an_error_not_a_recursion_crash() -> None:
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(TemplateError, match="nested more than"):
        load_template_text('{"Resources": {"A": {"Type": "X", "Properties": {"P": ' + deep + "}}}}")
    moderately = "[" * 150 + "]" * 150
    with pytest.raises(TemplateError, match="nested more than 100 levels") as caught:
        load_template_text(
            '{"Resources": {"A": {"Type": "X", "Properties": {"P": ' + moderately + "}}}}"
        )
    assert caught.value.path is not None and caught.value.path.startswith(
        "Resources.A.Properties.P"
    )


def test_file_encodings(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("Resources: {}\n".encode("utf-16"))
    with pytest.raises(TemplateError, match="UTF-16"):
        load_template_file(utf16)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"Resources:\n  A:\n    Type: caf\xe9\n")
    with pytest.raises(TemplateError) as caught:
        load_template_file(latin1)
    # "    Type: caf" is 13 characters: the byte 0xe9 is column 14.
    assert (caught.value.line, caught.value.column) == (3, 14)
    with pytest.raises(TemplateError, match="cannot read the file"):
        load_template_file(tmp_path / "missing.yaml")


def test_yaml_aliases_cannot_blow_up_resolution() -> None:
    # Nine levels of ten aliases stand for 10**9 strings in a file of a few hundred bytes.
    lines = ["Resources:", "  A:", "    Type: AWS::SNS::Topic", "    Properties:"]
    lines.append("      L0: &l0 [x, x, x, x, x, x, x, x, x, x]")
    for level in range(1, 10):
        ref = f"*l{level - 1}"
        lines.append(f"      L{level}: &l{level} [{', '.join([ref] * 10)}]")
    template = load_template_text("\n".join(lines) + "\n")
    with pytest.raises(TemplateError, match="too large to resolve"):
        resolve_template(template, region="us-east-1")
