"""The SCIM filter parser and the PATCH engine, on their own."""

import pytest

from entente.provisioning.scim.errors import ScimError
from entente.provisioning.scim.filters import (
    AttributePath,
    Compare,
    Logical,
    Not,
    Present,
    ValuePath,
    matches,
    parse_filter,
    parse_path,
)
from entente.provisioning.scim.patch import apply_patch
from entente.provisioning.scim.users import validate_patch_path

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def test_precedence_and_grouping():
    tree = parse_filter('a eq "1" or b eq "2" and not (c pr)')
    assert tree == Logical(
        "or", Compare("a", "eq", "1"), Logical("and", Compare("b", "eq", "2"), Not(Present("c")))
    )


def test_values_keywords_and_urns():
    assert parse_filter("active EQ True") == Compare("active", "eq", True)
    assert parse_filter("meta.created gt 12") == Compare("meta.created", "gt", 12)
    assert parse_filter(r'userName eq "a \"b\""') == Compare("username", "eq", 'a "b"')
    assert parse_filter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"') == Compare(
        "username", "eq", "x"
    )
    assert parse_filter('emails[type eq "work"]') == ValuePath(
        "emails", Compare("type", "eq", "work")
    )


@pytest.mark.parametrize(
    "text", ["", "userName", 'userName eq "x" and', "((a pr)", 'a eq "x")', "a eq bare", "a eq 'x'"]
)
def test_bad_filters(text):
    with pytest.raises(ScimError) as error:
        parse_filter(text)
    assert error.value.scim_type == "invalidFilter"


def test_deep_nesting_is_refused_without_a_crash():
    with pytest.raises(ScimError):
        parse_filter("(" * 500 + "a pr" + ")" * 500)


def test_paths():
    assert parse_path("name.givenName") == AttributePath("name", "givenname")
    assert parse_path('emails[type eq "work"].value') == AttributePath(
        "emails", "value", Compare("type", "eq", "work")
    )
    assert parse_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
    ) == AttributePath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department")
    for bad in ["", "emails[type eq", 'emails[type eq "x"]value', "a b"]:
        with pytest.raises(ScimError):
            parse_path(bad)


def test_matches_one_value():
    node = parse_filter('type eq "WORK" and primary eq true')
    assert matches(node, {"type": "work", "primary": True, "value": "a"})
    assert not matches(node, {"type": "home", "primary": True})


def patch(resource, *operations):
    return apply_patch(
        resource, {"schemas": [PATCH_OP], "Operations": list(operations)}, validate_patch_path
    )


def test_patch_sets_creates_and_removes():
    resource = {
        "userName": "a@b.fr",
        "name": {"givenName": "A", "familyName": "B"},
        "phoneNumbers": [{"type": "work", "value": "1"}],
    }
    after, touched = patch(
        resource,
        {"op": "replace", "path": "name.givenName", "value": "Z"},
        {"op": "add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "2"},
        {"op": "remove", "path": 'phoneNumbers[type eq "work"]'},
        {"op": "add", "value": {"title": "Chef", "name.familyName": "Y"}},
    )
    assert after["name"] == {"givenName": "Z", "familyName": "Y"}
    assert after["phoneNumbers"] == [{"type": "mobile", "value": "2"}]
    assert after["title"] == "Chef"
    assert touched == {"name", "phonenumbers", "title"}
    assert resource["name"]["givenName"] == "A"  # the original is untouched


def test_patch_replace_with_unmatched_complex_filter_is_no_target():
    with pytest.raises(ScimError) as error:
        patch({"emails": []}, {"op": "replace", "path": 'emails[value co "x"].type', "value": "w"})
    assert error.value.scim_type == "noTarget"
